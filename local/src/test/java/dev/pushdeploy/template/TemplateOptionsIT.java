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
    record Options(String ingress, boolean waf, boolean certificate, String database, boolean smokeUrl) {
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
            p.put("EnableDatabase", String.valueOf(!database.equals("none")));
            if (!database.equals("none")) {
                p.put("DatabaseNetwork", database);
            }
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
                    for (String database : List.of("none", "database-subnets", "transit-gateway")) {
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
        ranges(v);
        database(options, v);
    }

    /** The template's Rules refuse the combinations that cannot work, with a message that says why. */
    @Test
    void impossibleCombinationsAreRefusedByTheTemplatesRules() {
        assertEquals(List.of("rule TransitGatewayNeedsTheDatabase: DatabaseNetwork=transit-gateway places the database in a VPC"
                        + " of its own; it needs EnableDatabase=true."),
                Variant.of(Map.of("DatabaseNetwork", "transit-gateway")).ruleViolations());
        assertEquals(List.of("rule DatabaseVpcIsAnotherRange: DatabaseVpcCidr must not be VpcCidr (the two VPCs are routed to each"
                        + " other and must not overlap)."),
                Variant.of(Map.of("EnableDatabase", "true", "DatabaseNetwork", "transit-gateway", "DatabaseVpcCidr", "10.0.0.0/16")).ruleViolations());
        assertEquals(List.of(), Variant.of(Map.of("EnableDatabase", "true", "DatabaseNetwork", "transit-gateway")).ruleViolations());
    }

    /** The smallest ranges the parameters allow still hold every subnet, aligned, inside their VPC, apart. */
    @Test
    void theSmallestAllowedRangesHoldEverySubnet() {
        Variant v = Variant.of(Map.of("EnableDatabase", "true", "DatabaseNetwork", "transit-gateway",
                "VpcCidr", "10.8.0.0/17", "DatabaseVpcCidr", "10.9.0.0/22"));
        assertEquals(List.of(), v.problems());
        ranges(v);
        assertEquals(12, new Network(v).subnets().size());
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
        assertTrue(seen.containsAll(Set.of("Ingress=public-alb", "Ingress=private-api", "EnableDatabase=true", "EnableDatabase=false",
                "DatabaseNetwork=database-subnets", "DatabaseNetwork=transit-gateway")), seen.toString());
        assertEquals(48, combinations().count());
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

    // ---------------------------------------------------------------- network ranges

    /** Every subnet is an aligned range inside its VPC's, no two overlap, and the VPCs do not overlap. */
    private static void ranges(Variant v) {
        Network net = new Network(v);
        List<String> ids = new ArrayList<>(net.subnets().keySet());
        for (int i = 0; i < ids.size(); i++) {
            String a = ids.get(i);
            assertTrue(Network.Cidr.aligned(net.cidr(a)), a + " " + net.cidr(a));
            assertTrue(Network.Cidr.contains(net.vpcCidr(net.vpc(a)), net.cidr(a)), a + " " + net.cidr(a) + " outside " + net.vpc(a));
            for (String b : ids.subList(i + 1, ids.size())) {
                assertFalse(Network.Cidr.overlap(net.cidr(a), net.cidr(b)), a + " " + net.cidr(a) + " overlaps " + b + " " + net.cidr(b));
            }
        }
        List<String> vpcs = v.resources("AWS::EC2::VPC");
        if (vpcs.size() == 2) {
            assertFalse(Network.Cidr.overlap(net.vpcCidr(vpcs.get(0)), net.vpcCidr(vpcs.get(1))));
        }
    }

    // ---------------------------------------------------------------- database network

    /**
     * The database, where it lives, is reachable on 5432 from the tasks and from the rotation
     * function (routes both ways and both security groups), and its group lets in nothing else.
     */
    private static void database(Options o, Variant v) {
        List<String> transit = new ArrayList<>(v.resources("AWS::EC2::TransitGateway"));
        transit.addAll(v.resources("AWS::EC2::TransitGatewayAttachment"));
        if (o.database().equals("none")) {
            assertEquals(List.of(), v.resources("AWS::RDS::DBInstance"));
            assertEquals(List.of(), transit);
            assertEquals(List.of("Vpc"), v.resources("AWS::EC2::VPC"));
            return;
        }
        Network net = new Network(v);
        List<String> databaseSubnets = new ArrayList<>();
        v.properties("DatabaseSubnetGroup").path("SubnetIds").forEach(s -> databaseSubnets.add(Network.id(s)));
        String databaseGroup = Network.id(v.properties("Database").path("VPCSecurityGroups").get(0));
        assertEquals("false", v.properties("Database").path("PubliclyAccessible").asText());

        JsonNode function = v.properties("RotateSecretsFunction").path("VpcConfig");
        List<Network.Endpoint> clients = new ArrayList<>();
        v.properties("Service").path("NetworkConfiguration").path("AwsvpcConfiguration").path("Subnets")
                .forEach(s -> clients.add(new Network.Endpoint("AppSecurityGroup", Network.id(s))));
        function.path("SubnetIds").forEach(s -> clients.add(new Network.Endpoint(Network.id(function.path("SecurityGroupIds").get(0)), Network.id(s))));
        assertEquals(4, clients.size(), clients.toString());
        for (Network.Endpoint client : clients) {
            for (String subnet : databaseSubnets) {
                assertTrue(net.reaches(client, new Network.Endpoint(databaseGroup, subnet), 5432), client + " -> database in " + subnet);
            }
        }
        // nothing else: no load balancer, endpoint or public address gets through the database's group
        for (String other : List.of("LoadBalancerSecurityGroup", "NetworkLoadBalancerSecurityGroup", "EndpointSecurityGroup")) {
            if (v.exists(other)) {
                for (String subnet : List.of("PublicSubnetA", "PrivateSubnetA")) {
                    assertFalse(net.reaches(new Network.Endpoint(other, subnet), new Network.Endpoint(databaseGroup, databaseSubnets.get(0)), 5432),
                            other + " in " + subnet + " reaches the database");
                }
            }
        }

        if (o.database().equals("database-subnets")) {
            assertEquals(List.of("DatabaseSubnetA", "DatabaseSubnetB"), databaseSubnets);
            assertEquals(Set.of("{AppSecurityGroup.GroupId}", "{RotationSecurityGroup.GroupId}"), sources(v, databaseGroup));
            assertEquals(List.of(), transit);
            return;
        }
        // transit-gateway: two VPCs joined by one gateway, attached through dedicated subnets
        assertEquals(List.of("Vpc", "DatabaseVpc"), v.resources("AWS::EC2::VPC"));
        assertEquals(List.of("DatabaseVpcSubnetA", "DatabaseVpcSubnetB"), databaseSubnets);
        databaseSubnets.forEach(s -> assertEquals("DatabaseVpc", net.vpc(s)));
        assertEquals("DatabaseVpc", Network.id(v.properties(databaseGroup).path("VpcId")));
        assertEquals(Set.of(net.cidr("PrivateSubnetA"), net.cidr("PrivateSubnetB")), sources(v, databaseGroup),
                "5432 only from the application's range");
        net.rules(databaseGroup, "SecurityGroupIngress", "AWS::EC2::SecurityGroupIngress")
                .forEach(r -> assertEquals("tcp 5432-5432", r.path("IpProtocol").asText() + " " + r.path("FromPort").asText() + "-" + r.path("ToPort").asText()));
        assertEquals(List.of("TransitGateway"), v.resources("AWS::EC2::TransitGateway"));
        Set<String> usedElsewhere = new TreeSet<>(databaseSubnets);
        usedElsewhere.addAll(List.of("PrivateSubnetA", "PrivateSubnetB", "PublicSubnetA", "PublicSubnetB"));
        for (String vpc : List.of("Vpc", "DatabaseVpc")) {
            String attachment = net.attachment("TransitGateway", vpc).orElseThrow(() -> new AssertionError("no attachment in " + vpc));
            List<String> subnets = net.attachmentSubnets(attachment);
            assertEquals(2, subnets.size());
            for (String subnet : subnets) {
                assertEquals(vpc, net.vpc(subnet));
                assertFalse(usedElsewhere.contains(subnet), attachment + " uses " + subnet + ", which is not dedicated");
                assertTrue(Network.Cidr.prefix(net.cidr(subnet)) == 28, subnet + " " + net.cidr(subnet));
            }
        }
        // the public subnets have no route to the database VPC
        assertFalse(net.routes("PublicSubnetA", databaseSubnets.get(0)));
        assertFalse(net.routes(databaseSubnets.get(0), "PublicSubnetA"));
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
