package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every combination of the template's options, expanded as CloudFormation would (SAM transform by
 * aws-sam-translator, then conditions and intrinsic functions for the combination's parameter values):
 * each deployment is valid (parameter values allowed, no reference to a resource its conditions leave
 * out), and each option puts exactly its resources in place with the properties it promises.
 */
class TemplateOptionsIT {
    private static final String SMOKE = "https://status.example.com/health";

    /** One choice per option; {@link #parameters()} is what a user would pass to sam deploy. */
    record Options(String ingress, boolean waf, boolean certificate, boolean database, boolean smokeUrl) {
        Map<String, String> parameters() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("Ingress", ingress);
            if (waf) {
                p.put("WafBlockedCountries", "KP");
                p.put("WafCaptchaCountries", "RU,CN");
                p.put("WafRateLimit", "2000");
            }
            if (certificate) {
                p.put("CertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/0b8c1f6e-1111-4222-8333-944455556666");
            }
            p.put("EnableDatabase", String.valueOf(database));
            if (smokeUrl) {
                p.put("SmokeCheckUrl", SMOKE);
            }
            return p;
        }

        boolean isPrivate() {
            return ingress.equals("private-api");
        }

        @Override
        public String toString() {
            return parameters().toString();
        }
    }

    static Stream<Options> combinations() {
        List<Options> all = new ArrayList<>();
        for (String ingress : List.of("public-alb", "private-api")) {
            for (boolean waf : List.of(false, true)) {
                for (boolean certificate : List.of(false, true)) {
                    for (boolean database : List.of(false, true)) {
                        for (boolean smoke : List.of(false, true)) {
                            all.add(new Options(ingress, waf, certificate, database, smoke));
                        }
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void everyCombinationIsValidAndComplete(Options options) {
        Variant v = Variant.of(options.parameters());
        assertEquals(List.of(), v.problems(), "deployment " + options);
        ingress(options, v);
        waf(options, v);
        healthChecks(options, v);
    }

    @Test
    void theDefaultsAreThePublicLoadBalancerWithoutOptions() {
        Variant v = Variant.of(Map.of());
        assertEquals("public-alb", v.parameters.get("Ingress"));
        assertEquals(List.of("LoadBalancer"), v.resources("AWS::ElasticLoadBalancingV2::LoadBalancer"));
        assertEquals(List.of(), v.resources("AWS::ApiGateway::RestApi"));
        assertEquals(List.of(), v.resources("AWS::WAFv2::WebACL"));
    }

    /** The combinations cover every value of every option this test knows. */
    @Test
    void theCombinationsCoverEveryOption() {
        Set<String> seen = new TreeSet<>();
        combinations().forEach(o -> o.parameters().forEach((k, val) -> seen.add(k + "=" + val)));
        assertTrue(seen.containsAll(Set.of("Ingress=public-alb", "Ingress=private-api", "EnableDatabase=true", "EnableDatabase=false")), seen.toString());
        assertEquals(32, combinations().count());
    }

    // ---------------------------------------------------------------- ingress

    private static void ingress(Options o, Variant v) {
        List<String> balancers = v.resources("AWS::ElasticLoadBalancingV2::LoadBalancer");
        String service = "Service";
        JsonNode serviceBalancer = v.properties(service).path("LoadBalancers").get(0);
        Set<String> appSources = sources(v, "AppSecurityGroup");
        if (!o.isPrivate()) {
            assertEquals(List.of("LoadBalancer"), balancers);
            JsonNode alb = v.properties("LoadBalancer");
            assertEquals("internet-facing", alb.path("Scheme").asText());
            assertEquals(v.placeholder("TargetGroup"), serviceBalancer.path("TargetGroupArn").asText());
            assertEquals(Set.of("{LoadBalancerSecurityGroup.GroupId}"), appSources);
            assertEquals(List.of(), v.resources("AWS::ApiGateway::RestApi"));
            assertEquals(o.certificate(), v.exists("HttpsListener"));
            assertEquals(o.certificate() ? "https://{LoadBalancer.DNSName}" : "http://{LoadBalancer.DNSName}", v.output("ServiceUrl").orElseThrow());
            return;
        }
        // private: no load balancer faces the internet; the API, through its VPC link, is the only way in
        assertEquals(List.of("NetworkLoadBalancer"), balancers);
        JsonNode nlb = v.properties("NetworkLoadBalancer");
        assertEquals("network", nlb.path("Type").asText());
        assertEquals("internal", nlb.path("Scheme").asText());
        assertEquals("[\"{PrivateSubnetA}\",\"{PrivateSubnetB}\"]", nlb.path("Subnets").toString());
        assertEquals("off", nlb.path("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic").asText());
        assertEquals(Set.of(), sources(v, "NetworkLoadBalancerSecurityGroup"), "the NLB's group has no inbound rule");
        assertEquals(Set.of("{NetworkLoadBalancerSecurityGroup.GroupId}"), appSources);
        assertTrue(worldOpen(v).isEmpty(), "world-open rules in private mode: " + worldOpen(v));
        assertFalse(v.exists("HttpsListener"));

        JsonNode link = v.properties("VpcLink");
        assertEquals("[\"{NetworkLoadBalancer}\"]", link.path("TargetArns").toString());
        assertEquals("[\"REGIONAL\"]", v.properties("Api").path("EndpointConfiguration").path("Types").toString());
        for (String method : List.of("ApiRootMethod", "ApiProxyMethod")) {
            JsonNode integration = v.properties(method).path("Integration");
            assertEquals("HTTP_PROXY", integration.path("Type").asText(), method);
            assertEquals("VPC_LINK", integration.path("ConnectionType").asText(), method);
            assertEquals("{VpcLink}", integration.path("ConnectionId").asText(), method);
            assertTrue(integration.path("Uri").asText().startsWith("http://{NetworkLoadBalancer.DNSName}/"), method);
            assertEquals("ANY", v.properties(method).path("HttpMethod").asText());
        }
        JsonNode listener = v.properties("NetworkLoadBalancerListener");
        assertEquals("{NetworkLoadBalancer}", listener.path("LoadBalancerArn").asText());
        assertEquals("{NetworkTargetGroup}", listener.path("DefaultActions").get(0).path("TargetGroupArn").asText());
        JsonNode throttle = v.properties("ApiStage").path("MethodSettings").get(0);
        assertEquals("/*", throttle.path("ResourcePath").asText());
        assertEquals("*", throttle.path("HttpMethod").asText());
        assertEquals(v.parameters.get("ApiThrottleRateLimit"), throttle.path("ThrottlingRateLimit").asText());
        assertEquals(v.parameters.get("ApiThrottleBurstLimit"), throttle.path("ThrottlingBurstLimit").asText());
        assertEquals("https://{Api}.execute-api.us-east-1.amazonaws.com/{ApiStage}", v.output("ServiceUrl").orElseThrow());
        assertTrue(v.output("LoadBalancerDnsName").isEmpty());
        assertEquals(v.placeholder("NetworkTargetGroup"), serviceBalancer.path("TargetGroupArn").asText());
    }

    // ---------------------------------------------------------------- WAF

    private static void waf(Options o, Variant v) {
        List<String> associations = v.resources("AWS::WAFv2::WebACLAssociation");
        if (!o.waf()) {
            assertEquals(List.of(), v.resources("AWS::WAFv2::WebACL"));
            assertEquals(List.of(), associations);
            return;
        }
        JsonNode acl = v.properties("WebAcl");
        assertEquals("REGIONAL", acl.path("Scope").asText());
        Map<String, String> actions = new LinkedHashMap<>();
        acl.path("Rules").forEach(r -> actions.put(r.path("Name").asText(), r.path("Action").fieldNames().next()));
        assertEquals(Map.of("block-countries", "Block", "rate-limit", "Block", "captcha-countries", "Captcha"), actions);
        assertEquals(1, associations.size(), associations.toString());
        JsonNode association = v.properties(associations.get(0));
        assertEquals("{WebAcl.Arn}", association.path("WebACLArn").asText());
        assertEquals(o.isPrivate() ? "arn:aws:apigateway:us-east-1::/restapis/{Api}/stages/{ApiStage}" : "{LoadBalancer}",
                association.path("ResourceArn").asText());
    }

    // ---------------------------------------------------------------- health verdict inputs

    /**
     * The service's one target group is what the rollout check reads (DescribeServices →
     * loadBalancers[].targetGroupArn → DescribeTargetHealth): type ip (the verdict matches targets to
     * the new tasks by private IP), the container port, an HTTP health check of HealthCheckPath;
     * with private-api the smoke check goes through the API.
     */
    private static void healthChecks(Options o, Variant v) {
        JsonNode serviceBalancers = v.properties("Service").path("LoadBalancers");
        assertEquals(1, serviceBalancers.size());
        String group = serviceBalancers.get(0).path("TargetGroupArn").asText();
        String groupId = group.substring(1, group.length() - 1);
        JsonNode tg = v.properties(groupId);
        assertEquals("ip", tg.path("TargetType").asText());
        assertEquals(v.parameters.get("ContainerPort"), tg.path("Port").asText());
        assertEquals("HTTP", tg.path("HealthCheckProtocol").asText());
        assertEquals(v.parameters.get("HealthCheckPath"), tg.path("HealthCheckPath").asText());
        assertEquals(v.parameters.get("ContainerName"), serviceBalancers.get(0).path("ContainerName").asText());

        Target target = ConfigParser.parse(v.properties("ConfigParameter").path("Value").asText()).targets().get(0);
        String smoke = target.health().smokeUrl() == null ? null : target.health().smokeUrl().toString();
        if (o.smokeUrl()) {
            assertEquals(SMOKE, smoke);
        } else if (o.isPrivate()) {
            assertEquals("https://{Api}.execute-api.us-east-1.amazonaws.com/{ApiStage}/health", smoke);
        } else {
            assertNull(smoke);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Sources (security group ids or CIDRs) of every inbound rule of a group, inline or separate. */
    static Set<String> sources(Variant v, String group) {
        Set<String> sources = new TreeSet<>();
        v.properties(group).path("SecurityGroupIngress").forEach(r -> sources.add(source(r)));
        for (String id : v.resources("AWS::EC2::SecurityGroupIngress")) {
            JsonNode rule = v.properties(id);
            if (rule.path("GroupId").asText().equals("{" + group + ".GroupId}")) {
                sources.add(source(rule));
            }
        }
        return sources;
    }

    private static String source(JsonNode rule) {
        for (String field : List.of("SourceSecurityGroupId", "CidrIp", "CidrIpv6", "SourcePrefixListId")) {
            if (rule.has(field)) {
                return rule.path(field).asText();
            }
        }
        throw new AssertionError("ingress rule without a source: " + rule);
    }

    /** "group: rule" for every inbound rule open to the internet. */
    static List<String> worldOpen(Variant v) {
        List<String> open = new ArrayList<>();
        for (String group : v.resources("AWS::EC2::SecurityGroup")) {
            sources(v, group).stream().filter(s -> s.equals("0.0.0.0/0") || s.equals("::/0")).forEach(s -> open.add(group + ": " + s));
        }
        return open;
    }
}
