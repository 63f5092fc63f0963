package dev.pushdeploy.template;

import dev.pushdeploy.config.PipelineConfig;
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
import java.util.TreeMap;
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
    private static final String DOMAIN = "shop.example.com";
    private static final String ZONE = "Z0123456789ABCDEFGHIJ";
    private static final String GITHUB_REPOSITORY = "example/shop";
    private static final String SECOND = "api";
    private static final String GITHUB_PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    private static final String CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0b8c1f6e-1111-4222-8333-944455556666";

    /**
     * The options that create, remove or reshape resources, and their choices (the first is the
     * default): every combination of these is deployed.
     */
    static final Map<String, List<String>> OPTIONS = options();
    /**
     * Options whose resources no other option touches (the smoke URL only changes a value, the CI
     * role only refers to the repository, the strategy's resources hang off the load balancer and the
     * service): each combination takes one of their choices in turn (by the sum of its other choices'
     * positions; the strategy by a hash of them), so that every pair of choices of any two options
     * still meets (checked below).
     */
    static final Map<String, List<String>> VALUE_OPTIONS = valueOptions();

    private static Map<String, List<String>> valueOptions() {
        Map<String, List<String>> o = new LinkedHashMap<>();
        o.put("smoke", List.of("default", "url"));
        o.put("ci", List.of("off", "create-provider", "existing-provider"));
        o.put("strategy", List.of("ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"));
        return o;
    }

    private static Map<String, List<String>> options() {
        Map<String, List<String>> o = new LinkedHashMap<>();
        o.put("ingress", List.of("public-alb", "private-api"));
        o.put("waf", List.of("off", "on"));
        o.put("tls", List.of("none", "certificate", "domain", "domain+certificate"));
        o.put("database", List.of("none", "database-subnets", "transit-gateway"));
        o.put("exec", List.of("off", "on"));
        o.put("adminHost", List.of("off", "on"));
        o.put("hardening", List.of("off", "user", "user+read-only"));
        o.put("services", List.of("one", "two"));
        return o;
    }

    /** One choice per option; {@link #parameters()} is what a user would pass to sam deploy. */
    record Options(Map<String, String> choices) {
        String get(String option) {
            String choice = choices.get(option);
            if (choice == null) {
                throw new IllegalArgumentException("no option " + option);
            }
            return choice;
        }

        boolean on(String option) {
            return get(option).equals("on");
        }

        boolean isPrivate() {
            return get("ingress").equals("private-api");
        }

        boolean hasDomain() {
            return get("tls").startsWith("domain");
        }

        boolean givenCertificate() {
            return get("tls").endsWith("certificate");
        }

        /** The template's Rules that must refuse this combination (by rule name). */
        List<String> refusedBy() {
            List<String> rules = new ArrayList<>();
            if (isPrivate() && givenCertificate() && !hasDomain()) {
                rules.add("ApiCertificateNeedsADomain");
            }
            if (on("exec") && get("hardening").endsWith("read-only")) {
                rules.add("ExecNeedsAWritableRoot");
            }
            if (isPrivate() && get("services").equals("two")) {
                rules.add("SecondServiceNeedsTheAlb");
            }
            if (isPrivate() && !get("strategy").equals("ROLLING")) {
                rules.add("TrafficShiftingNeedsTheAlb");
            }
            return rules;
        }

        Map<String, String> parameters() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("Ingress", get("ingress"));
            if (on("waf")) {
                p.put("WafBlockedCountries", "KP");
                p.put("WafCaptchaCountries", "RU,CN");
                p.put("WafRateLimit", "2000");
            }
            if (givenCertificate()) {
                p.put("CertificateArn", CERTIFICATE);
            }
            if (hasDomain()) {
                p.put("DomainName", DOMAIN);
                p.put("HostedZoneId", ZONE);
            }
            String database = get("database");
            p.put("EnableDatabase", String.valueOf(!database.equals("none")));
            if (!database.equals("none")) {
                p.put("DatabaseNetwork", database);
            }
            if (get("smoke").equals("url")) {
                p.put("SmokeCheckUrl", SMOKE);
            }
            p.put("EnableExecuteCommand", String.valueOf(on("exec")));
            p.put("EnableAdminHost", String.valueOf(on("adminHost")));
            if (get("hardening").startsWith("user")) {
                p.put("ContainerUser", "1000:1000");
            }
            p.put("ReadOnlyRootFilesystem", String.valueOf(get("hardening").endsWith("read-only")));
            if (!get("ci").equals("off")) {
                p.put("GitHubRepository", GITHUB_REPOSITORY);
            }
            if (get("ci").equals("existing-provider")) {
                p.put("GitHubOidcProviderArn", GITHUB_PROVIDER);
            }
            if (get("services").equals("two")) {
                p.put("SecondServiceName", SECOND);
            }
            p.put("DeploymentStrategy", get("strategy"));
            return p;
        }

        @Override
        public String toString() {
            return choices.toString();
        }
    }

    /** The full product of the {@link #OPTIONS}, each with its turn of the {@link #VALUE_OPTIONS}. */
    static Stream<Options> combinations() {
        List<Map<String, String>> all = List.of(Map.of());
        for (Map.Entry<String, List<String>> option : OPTIONS.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : all) {
                for (String choice : option.getValue()) {
                    Map<String, String> extended = new LinkedHashMap<>(partial);
                    extended.put(option.getKey(), choice);
                    next.add(extended);
                }
            }
            all = next;
        }
        return all.stream().map(choices -> {
            int turn = choices.entrySet().stream().mapToInt(e -> OPTIONS.get(e.getKey()).indexOf(e.getValue())).sum();
            Map<String, String> full = new LinkedHashMap<>(choices);
            int shift = 0;
            for (Map.Entry<String, List<String>> option : VALUE_OPTIONS.entrySet()) {
                List<String> values = option.getValue();
                int index = option.getKey().equals("strategy") ? Math.floorMod(choices.hashCode(), values.size())
                        : (turn + shift) % values.size();
                shift++;
                full.put(option.getKey(), values.get(index));
            }
            return new Options(full);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void everyCombinationIsValidAndComplete(Options options) {
        Variant v = Variant.of(options.parameters());
        List<String> refused = v.ruleViolations().stream().map(r -> r.split(":")[0].substring("rule ".length())).toList();
        assertEquals(options.refusedBy(), refused, "rules refusing " + options);
        if (!refused.isEmpty()) {
            return;
        }
        assertEquals(List.of(), v.problems(), "deployment " + options);
        ingress(options, v);
        domain(options, v);
        waf(options, v);
        healthChecks(options, v);
        ranges(v);
        database(options, v);
        adminAccess(options, v);
        hardening(options, v);
        ci(options, v);
        services(options, v);
        strategy(options, v);
    }

    /** The template's Rules refuse the combinations that cannot work, with a message that says why. */
    @Test
    void impossibleCombinationsAreRefusedByTheTemplatesRules() {
        assertEquals(List.of("rule DomainNeedsItsZone: DomainName needs HostedZoneId, the public hosted zone where its certificate is"
                + " validated and its record created."), Variant.of(Map.of("DomainName", DOMAIN)).ruleViolations());
        assertEquals(List.of("rule ZoneNeedsADomain: HostedZoneId is used only with DomainName."),
                Variant.of(Map.of("HostedZoneId", ZONE)).ruleViolations());
        assertEquals(List.of("rule SecondServiceNeedsTheAlb: The second service is routed by the ALB's host and path rules; it needs"
                        + " Ingress=public-alb."),
                Variant.of(Map.of("SecondServiceName", SECOND, "Ingress", "private-api")).ruleViolations());
        assertEquals(List.of("rule SecondServiceNeedsTheAlb: SecondServiceName must differ from AppName (each service has its own"
                        + " repository and task family)."),
                Variant.of(Map.of("SecondServiceName", "web")).ruleViolations());
        assertEquals(List.of("rule SecondServiceNeedsTheAlb: The second service needs SecondPathPattern or SecondHostHeader (the ALB"
                        + " rule that routes to it)."),
                Variant.of(Map.of("SecondServiceName", SECOND, "SecondPathPattern", "")).ruleViolations());
        assertEquals(List.of("rule GitHubProviderNeedsARepository: GitHubOidcProviderArn is used only with GitHubRepository, the"
                        + " repository whose workflows may push."),
                Variant.of(Map.of("GitHubOidcProviderArn", GITHUB_PROVIDER)).ruleViolations());
        assertEquals(List.of("rule ExecNeedsAWritableRoot: ECS Exec needs a writable root filesystem (its agent writes into the"
                        + " container); choose EnableExecuteCommand or ReadOnlyRootFilesystem."),
                Variant.of(Map.of("EnableExecuteCommand", "true", "ReadOnlyRootFilesystem", "true")).ruleViolations());
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

    /**
     * The combinations are the full product of the options, every pair of choices of any two options
     * (value options included) meets in some combination, and together they set every option
     * parameter of the template to each of its allowed values.
     */
    @Test
    void theCombinationsCoverEveryOption() {
        assertEquals(OPTIONS.values().stream().mapToLong(List::size).reduce(1, (a, b) -> a * b), combinations().count());
        Map<String, List<String>> every = new LinkedHashMap<>(OPTIONS);
        every.putAll(VALUE_OPTIONS);
        Set<String> pairs = new TreeSet<>();
        combinations().forEach(o -> o.choices().forEach((a, x) -> o.choices().forEach((b, y) -> pairs.add(a + "=" + x + " & " + b + "=" + y))));
        every.forEach((a, xs) -> every.forEach((b, ys) -> xs.forEach(x -> ys.forEach(y -> {
            if (!a.equals(b)) {
                assertTrue(pairs.contains(a + "=" + x + " & " + b + "=" + y), a + "=" + x + " never meets " + b + "=" + y);
            }
        }))));
        Set<String> seen = new TreeSet<>();
        combinations().forEach(o -> o.parameters().forEach((k, val) -> seen.add(k + "=" + val)));
        for (String parameter : List.of("Ingress", "DatabaseNetwork", "EnableDatabase", "EnableExecuteCommand", "EnableAdminHost",
                "ReadOnlyRootFilesystem", "DeploymentStrategy")) {
            for (com.fasterxml.jackson.databind.JsonNode value : Deployments.TEMPLATE.parameters().path(parameter).path("AllowedValues")) {
                assertTrue(seen.contains(parameter + "=" + value.asText()), parameter + "=" + value.asText() + " is never tried");
            }
        }
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
            boolean https = o.hasDomain() || o.givenCertificate();
            assertEquals(https, v.exists("HttpsListener"));
            assertEquals(o.hasDomain() ? "https://" + DOMAIN : https ? "https://{LoadBalancer.DNSName}" : "http://{LoadBalancer.DNSName}",
                    v.output("ServiceUrl").orElseThrow());
            String redirect = v.properties("HttpListener").path("DefaultActions").get(0).path("Type").asText();
            assertEquals(https ? "redirect" : "forward", redirect);
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
        assertEquals(o.hasDomain() ? "https://" + DOMAIN : "https://{Api}.execute-api.us-east-1.amazonaws.com/{ApiStage}",
                v.output("ServiceUrl").orElseThrow());
        assertEquals(o.hasDomain(), v.properties("Api").path("DisableExecuteApiEndpoint").asBoolean(), "one address with a domain");
        assertTrue(v.output("LoadBalancerDnsName").isEmpty());
        assertEquals(v.placeholder("NetworkTargetGroup"), serviceBalancer.path("TargetGroupArn").asText());
    }

    // ---------------------------------------------------------------- domain

    /**
     * With DomainName: a DNS-validated certificate in the given zone (unless one is given), used by the
     * HTTPS listener or the API's custom domain, and an alias record to that entry point.
     */
    private static void domain(Options o, Variant v) {
        assertEquals(o.hasDomain() && !o.givenCertificate(), v.exists("Certificate"));
        assertEquals(o.hasDomain(), v.exists("DomainRecord"));
        assertEquals(o.hasDomain() && o.isPrivate(), v.exists("ApiDomain"));
        String certificate = o.givenCertificate() ? CERTIFICATE : "{Certificate}";
        if (v.exists("Certificate")) {
            JsonNode c = v.properties("Certificate");
            assertEquals(DOMAIN, c.path("DomainName").asText());
            assertEquals("DNS", c.path("ValidationMethod").asText());
            assertEquals(ZONE, c.path("DomainValidationOptions").get(0).path("HostedZoneId").asText());
        }
        if (v.exists("HttpsListener")) {
            JsonNode listener = v.properties("HttpsListener");
            assertEquals(certificate, listener.path("Certificates").get(0).path("CertificateArn").asText());
            assertTrue(listener.path("SslPolicy").asText().startsWith("ELBSecurityPolicy-TLS13-1-2"), listener.path("SslPolicy").asText());
        }
        if (!o.hasDomain()) {
            return;
        }
        JsonNode record = v.properties("DomainRecord");
        assertEquals(ZONE, record.path("HostedZoneId").asText());
        assertEquals(DOMAIN, record.path("Name").asText());
        assertEquals("A", record.path("Type").asText());
        JsonNode alias = record.path("AliasTarget");
        if (o.isPrivate()) {
            JsonNode api = v.properties("ApiDomain");
            assertEquals(certificate, api.path("RegionalCertificateArn").asText());
            assertEquals("TLS_1_2", api.path("SecurityPolicy").asText());
            assertEquals("[\"REGIONAL\"]", api.path("EndpointConfiguration").path("Types").toString());
            assertEquals("{ApiDomain.RegionalDomainName}", alias.path("DNSName").asText());
            assertEquals("{ApiDomain.RegionalHostedZoneId}", alias.path("HostedZoneId").asText());
            JsonNode mapping = v.properties("ApiBasePathMapping");
            assertEquals(List.of("{ApiDomain}", "{Api}", "{ApiStage}"),
                    List.of(mapping.path("DomainName").asText(), mapping.path("RestApiId").asText(), mapping.path("Stage").asText()));
        } else {
            assertEquals("{LoadBalancer.DNSName}", alias.path("DNSName").asText());
            assertEquals("{LoadBalancer.CanonicalHostedZoneID}", alias.path("HostedZoneId").asText());
        }
    }

    // ---------------------------------------------------------------- WAF

    private static void waf(Options o, Variant v) {
        List<String> associations = v.resources("AWS::WAFv2::WebACLAssociation");
        if (!o.on("waf")) {
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

        Target target = configuration(v).targets().get(0);
        String smoke = target.health().smokeUrl() == null ? null : target.health().smokeUrl().toString();
        if (o.get("smoke").equals("url")) {
            assertEquals(SMOKE, smoke);
        } else if (o.isPrivate()) {
            assertEquals(o.hasDomain() ? "https://" + DOMAIN + "/health" : "https://{Api}.execute-api.us-east-1.amazonaws.com/{ApiStage}/health", smoke);
        } else {
            assertNull(smoke);
        }
    }

    // ---------------------------------------------------------------- deployment strategy

    /**
     * ROLLING: the service rolls, with no alternate group, rules, roles or hook. The others: ECS's
     * strategy with its own settings, the alternate target group and both listener rules weighting
     * the two groups, the load balancer role allowed exactly those, the lifecycle hook at the test and
     * production stages, and the configuration naming the strategy and the test listener's header.
     * Every public deployment is judged by the two default alarms, in ECS's configuration and pushdeploy's.
     */
    private static void strategy(Options o, Variant v) {
        JsonNode configuration = v.properties("Service").path("DeploymentConfiguration");
        Target target = configuration(v).targets().get(0);
        String strategy = o.get("strategy");
        boolean shifts = !strategy.equals("ROLLING");
        assertEquals(strategy, configuration.path("Strategy").asText());
        assertEquals(strategy, target.strategy().type().name());
        for (String id : List.of("AlternateTargetGroup", "ProductionListenerRule", "TestListenerRule", "EcsLoadBalancerRole",
                "LifecycleHookInvokeRole")) {
            assertEquals(shifts, v.exists(id), id + " exists for " + strategy);
        }
        assertEquals(strategy.equals("CANARY"), configuration.has("CanaryConfiguration"));
        assertEquals(strategy.equals("LINEAR"), configuration.has("LinearConfiguration"));
        assertEquals(shifts, configuration.has("BakeTimeInMinutes"));
        List<String> alarms = new ArrayList<>();
        configuration.path("Alarms").path("AlarmNames").forEach(a -> alarms.add(a.asText()));
        assertEquals(o.isPrivate() ? List.of() : List.of("pushdeploy-web-5xx-rate", "pushdeploy-web-response-time"), alarms);
        assertEquals(alarms, target.health().alarms());
        if (!shifts) {
            assertFalse(configuration.has("LifecycleHooks"));
            assertTrue(v.properties("Service").path("LoadBalancers").get(0).path("AdvancedConfiguration").isMissingNode());
            return;
        }
        if (strategy.equals("CANARY")) {
            assertEquals("5", configuration.path("CanaryConfiguration").path("CanaryPercent").asText());
            assertEquals("10", configuration.path("CanaryConfiguration").path("CanaryBakeTimeInMinutes").asText());
        }
        if (strategy.equals("LINEAR")) {
            assertEquals("20", configuration.path("LinearConfiguration").path("StepPercent").asText());
            assertEquals("6", configuration.path("LinearConfiguration").path("StepBakeTimeInMinutes").asText());
        }
        JsonNode hook = configuration.path("LifecycleHooks").get(0);
        assertEquals("{LifecycleHookFunctionAliaslive}", hook.path("HookTargetArn").asText(), "the alias SAM publishes");
        assertEquals("{LifecycleHookInvokeRole.Arn}", hook.path("RoleArn").asText());
        assertEquals("[\"POST_TEST_TRAFFIC_SHIFT\",\"PRODUCTION_TRAFFIC_SHIFT\",\"POST_PRODUCTION_TRAFFIC_SHIFT\"]",
                hook.path("LifecycleStages").toString());
        JsonNode advanced = v.properties("Service").path("LoadBalancers").get(0).path("AdvancedConfiguration");
        assertEquals("{AlternateTargetGroup}", advanced.path("AlternateTargetGroupArn").asText());
        assertEquals("{ProductionListenerRule}", advanced.path("ProductionListenerRule").asText());
        assertEquals("{TestListenerRule}", advanced.path("TestListenerRule").asText());
        assertEquals("{EcsLoadBalancerRole.Arn}", advanced.path("RoleArn").asText());
        for (String rule : List.of("ProductionListenerRule", "TestListenerRule")) {
            assertEquals("[{\"TargetGroupArn\":\"{TargetGroup}\",\"Weight\":100},{\"TargetGroupArn\":\"{AlternateTargetGroup}\",\"Weight\":0}]",
                    v.properties(rule).path("Actions").get(0).path("ForwardConfig").path("TargetGroups").toString().replace("\"100\"", "100")
                            .replace("\"0\"", "0"), rule);
        }
        assertEquals("{HttpListener}", v.properties("TestListenerRule").path("ListenerArn").asText());
        String testValue = v.properties("TestListenerRule").path("Conditions").get(0).path("HttpHeaderConfig").path("Values").get(0).asText();
        assertEquals("X-Pushdeploy-Test", target.strategy().testHeader());
        assertEquals(testValue, target.strategy().testHeaderValue());
        assertTrue(target.strategy().testUrl().startsWith("http://") && target.strategy().testUrl().endsWith(v.parameters.get("HealthCheckPath")),
                target.strategy().testUrl());
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
        if (o.get("database").equals("none")) {
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
        if (o.on("adminHost")) {
            clients.add(new Network.Endpoint("AdminHostSecurityGroup", Network.id(v.properties("AdminHost").path("SubnetId"))));
        }
        assertEquals(o.on("adminHost") ? 5 : 4, clients.size(), clients.toString());
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

        if (o.get("database").equals("database-subnets")) {
            assertEquals(List.of("DatabaseSubnetA", "DatabaseSubnetB"), databaseSubnets);
            Set<String> expected = new TreeSet<>(Set.of("{AppSecurityGroup.GroupId}", "{RotationSecurityGroup.GroupId}"));
            if (o.on("adminHost")) {
                expected.add("{AdminHostSecurityGroup.GroupId}");
            }
            assertEquals(expected, sources(v, databaseGroup));
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

    // ---------------------------------------------------------------- second service

    /**
     * Two services behind one ALB: the second has its own repository, task family, target group,
     * listener rule (on the listener that serves), security group chain, secret slots, rolling
     * strategy and configuration target; pushes to either repository start the pipeline; and wherever
     * a role is granted something of the first service it is granted the same of the second.
     */
    private static void services(Options o, Variant v) {
        List<String> services = v.resources("AWS::ECS::Service");
        List<Target> targets = configuration(v).targets();
        JsonNode pushed = v.properties("PushRule").path("EventPattern").path("detail").path("repository-name");
        if (o.get("services").equals("one")) {
            assertEquals(List.of("Service"), services);
            assertEquals(1, targets.size());
            assertEquals("[\"web\"]", pushed.toString());
            return;
        }
        assertEquals(List.of("Service", "SecondService"), services);
        assertEquals("[\"web\",\"" + SECOND + "\"]", pushed.toString());
        assertEquals(SECOND, v.properties("SecondRepository").path("RepositoryName").asText());
        assertEquals(SECOND, v.properties("SecondTaskDefinition").path("Family").asText());
        assertEquals(2, targets.size());
        Target second = targets.get(1);
        assertEquals(List.of(SECOND, "pushdeploy/" + SECOND, "app"), List.of(second.repository(), second.serviceKey(), second.container()));
        assertEquals("/pushdeploy/" + SECOND + "/app-signing-key", second.secrets().get(0).parameter());
        assertEquals(targets.get(0).tagPattern().pattern(), second.tagPattern().pattern());

        JsonNode service = v.properties("SecondService");
        assertEquals("{SecondTargetGroup}", service.path("LoadBalancers").get(0).path("TargetGroupArn").asText());
        assertEquals("0", service.path("DesiredCount").asText(), "no task before the second service's own release");
        assertEquals("100", service.path("DeploymentConfiguration").path("MinimumHealthyPercent").asText());
        assertEquals("200", service.path("DeploymentConfiguration").path("MaximumPercent").asText());
        JsonNode group = v.properties("SecondTargetGroup");
        assertEquals(List.of("ip", "8080", "/health"), List.of(group.path("TargetType").asText(), group.path("Port").asText(), group.path("HealthCheckPath").asText()));
        JsonNode rule = v.properties("SecondListenerRule");
        assertEquals(v.exists("HttpsListener") ? "{HttpsListener}" : "{HttpListener}", rule.path("ListenerArn").asText(), "the listener that serves");
        assertEquals("[{\"Field\":\"path-pattern\",\"PathPatternConfig\":{\"Values\":[\"/api/*\"]}}]", rule.path("Conditions").toString());
        assertEquals("{SecondTargetGroup}", rule.path("Actions").get(0).path("TargetGroupArn").asText());
        assertEquals(Set.of("{LoadBalancerSecurityGroup.GroupId}"), sources(v, "SecondAppSecurityGroup"));
        Network net = new Network(v);
        assertTrue(net.reaches(new Network.Endpoint("LoadBalancerSecurityGroup", "PublicSubnetA"), new Network.Endpoint("SecondAppSecurityGroup", "PrivateSubnetB"), 8080));
        assertTrue(net.reaches(new Network.Endpoint("SecondAppSecurityGroup", "PrivateSubnetA"), new Network.Endpoint("EndpointSecurityGroup", "PrivateSubnetA"), 443));
        assertFalse(net.reaches(new Network.Endpoint("SecondAppSecurityGroup", "PrivateSubnetA"), new Network.Endpoint("AppSecurityGroup", "PrivateSubnetB"), 8080),
                "the services do not reach each other's tasks directly");
        JsonNode container = v.properties("SecondTaskDefinition").path("ContainerDefinitions").get(0);
        assertEquals(v.properties("TaskDefinition").path("ContainerDefinitions").get(0).path("LinuxParameters"), container.path("LinuxParameters"),
                "the same hardening");

        List<String> missing = new ArrayList<>();
        for (String role : v.resources("AWS::IAM::Role")) {
            if (role.equals("GitHubPushRole")) {
                continue; // CI pushes the first service's repository (GitHubRepository is one application repository)
            }
            List<String> resources = new ArrayList<>();
            v.properties(role).path("Policies").forEach(p -> p.path("PolicyDocument").path("Statement")
                    .forEach(st -> resources.addAll(texts(st.path("Resource")))));
            for (String resource : resources) {
                String counterpart = secondOf(resource);
                if (counterpart != null && !resources.contains(counterpart)) {
                    missing.add(role + ": " + resource + " without " + counterpart);
                }
            }
        }
        assertEquals(List.of(), missing, "grants of the first service the second lacks");
    }

    /**
     * Releases come with the second service. The release's role may invoke its planner, start and
     * follow executions of the deployment workflow (and of no other state machine), record the
     * release and notify: nothing else; the planner only reads the two repositories.
     */
    @Test
    void aReleaseMayStartAndFollowDeploymentsAndNothingElse() {
        Variant one = Variant.of(Map.of());
        for (String id : List.of("ReleaseStateMachine", "ReleaseStateMachineRole", "PlanReleaseFunction", "PlanReleaseFunctionRole")) {
            assertFalse(one.exists(id), id + " without a second service");
        }
        Variant v = Variant.of(Map.of("SecondServiceName", SECOND));
        Map<String, Set<String>> grants = grants(v, "ReleaseStateMachineRole");
        String deploy = v.properties("ReleaseStateMachine").path("DefinitionSubstitutions").path("DeployStateMachineArn").asText();
        assertTrue(deploy.endsWith(":stateMachine:pushdeploy-deploy"), deploy);
        String executions = deploy.replace(":stateMachine:", ":execution:") + ":*";
        assertEquals(Set.of(deploy), grants.get("states:StartExecution"));
        assertEquals(Set.of(executions), grants.get("states:DescribeExecution"));
        assertEquals(Set.of(executions), grants.get("states:StopExecution"));
        assertEquals(Set.of("arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),
                grants.get("events:PutRule"));
        assertEquals(Set.of(v.properties("ReleaseStateMachine").path("DefinitionSubstitutions").path("PlanReleaseFunctionArn").asText()),
                grants.get("lambda:InvokeFunction"));
        assertEquals(grants.get("dynamodb:PutItem"), grants.get("dynamodb:GetItem"), "its own record, read when a redrive finds it written");
        assertEquals(Set.of("dynamodb:GetItem", "dynamodb:PutItem", "events:DescribeRule", "events:PutRule", "events:PutTargets",
                        "kms:Decrypt", "kms:GenerateDataKey", "lambda:InvokeFunction", "logs:CreateLogDelivery", "logs:DeleteLogDelivery",
                        "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
                        "logs:PutResourcePolicy", "logs:UpdateLogDelivery", "sns:Publish", "states:DescribeExecution",
                        "states:StartExecution", "states:StopExecution", "xray:GetSamplingRules", "xray:GetSamplingTargets",
                        "xray:PutTelemetryRecords", "xray:PutTraceSegments"),
                grants.keySet());
        Map<String, Set<String>> planner = grants(v, "PlanReleaseFunctionRole");
        assertEquals(Set.of("cloudwatch:DescribeAlarms", "ecr:DescribeImages", "ecr:DescribeRepositories", "ecs:DescribeServices",
                        "ecs:DescribeTaskDefinition"), planner.keySet(),
                "the images, the deployment alarms that must exist, and the services with their live revisions");
        assertEquals(2, planner.get("ecr:DescribeImages").size(), "the two repositories: " + planner);
        assertEquals(Set.of("arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web",
                "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/" + SECOND), planner.get("ecs:DescribeServices"));
    }

    /** Action → the resources a role's own policies grant it on. */
    private static Map<String, Set<String>> grants(Variant v, String role) {
        Map<String, Set<String>> grants = new TreeMap<>();
        v.properties(role).path("Policies").forEach(p -> p.path("PolicyDocument").path("Statement").forEach(st ->
                texts(st.path("Action")).forEach(a -> grants.computeIfAbsent(a, k -> new TreeSet<>()).addAll(texts(st.path("Resource"))))));
        return grants;
    }

    /** The second service's counterpart of a grant on the first's repository, service, family, slots or release parameters. */
    private static String secondOf(String resource) {
        if (resource.endsWith(":repository/web")) {
            return resource.replace(":repository/web", ":repository/" + SECOND);
        }
        for (String scope : List.of(":service/pushdeploy/web", ":task-definition/web:", ":parameter/pushdeploy/web/", "/release/pushdeploy/web/",
                ":log-group:/ecs/pushdeploy/web:")) {
            if (resource.contains(scope)) {
                return resource.replace(scope, scope.replace("web", SECOND));
            }
        }
        return null;
    }

    /** The second service reads its own release parameters (named after it): until its first release it runs no task. */
    @Test
    void theSecondServiceRunsOnItsOwnReleaseOnly() {
        Map<String, String> release = new java.util.HashMap<>(Map.of(
                "/pushdeploy/release/pushdeploy/web/image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "a".repeat(64),
                "/pushdeploy/release/pushdeploy/web/secret/APP_SIGNING_KEY", "/pushdeploy/web/app-signing-key/a",
                "/pushdeploy/release/pushdeploy/web/secret/DB_PASSWORD", "none",
                "/pushdeploy/release/pushdeploy/api/image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:" + "b".repeat(64),
                "/pushdeploy/release/pushdeploy/api/secret/APP_SIGNING_KEY", "/pushdeploy/api/app-signing-key/b",
                "/pushdeploy/release/pushdeploy/api/secret/DB_PASSWORD", "none"));
        Map<String, String> two = Map.of("SecondServiceName", SECOND);
        java.util.function.Function<String, java.util.Optional<String>> ssm = name -> java.util.Optional.ofNullable(release.get(name));

        Variant own = Variant.of(two, ssm);
        assertEquals(List.of(), own.problems());
        JsonNode container = own.properties("SecondTaskDefinition").path("ContainerDefinitions").get(0);
        assertEquals(release.get("/pushdeploy/release/pushdeploy/api/image"), container.path("Image").asText());
        assertEquals("[{\"Name\":\"APP_SIGNING_KEY\",\"ValueFrom\":\"/pushdeploy/api/app-signing-key/b\"}]", container.path("Secrets").toString());
        assertEquals("2", own.properties("SecondService").path("DesiredCount").asText());

        release.put("/pushdeploy/release/pushdeploy/api/image", "none");
        release.put("/pushdeploy/release/pushdeploy/api/secret/APP_SIGNING_KEY", "none");
        Variant before = Variant.of(two, ssm);
        assertEquals("0", before.properties("SecondService").path("DesiredCount").asText(), "no release of its own yet");
        JsonNode bootstrap = before.properties("SecondTaskDefinition").path("ContainerDefinitions").get(0);
        assertTrue(bootstrap.path("Image").asText().endsWith(":bootstrap"), bootstrap.toString());
        assertEquals("[{\"Name\":\"APP_SIGNING_KEY\",\"ValueFrom\":\"/pushdeploy/api/app-signing-key/a\"}]", bootstrap.path("Secrets").toString(),
                "the slot its first release writes");
        assertEquals("2", before.properties("Service").path("DesiredCount").asText());
    }

    // ---------------------------------------------------------------- CI

    /** The CI role: assumed only through GitHub's OIDC by the named repository's matching refs; may only push to the service's repository. */
    private static void ci(Options o, Variant v) {
        String ci = o.get("ci");
        assertEquals(ci.equals("create-provider"), v.exists("GitHubOidcProvider"));
        assertEquals(!ci.equals("off"), v.exists("GitHubPushRole"));
        if (ci.equals("off")) {
            assertTrue(v.output("GitHubPushRoleArn").isEmpty());
            return;
        }
        if (ci.equals("create-provider")) {
            JsonNode provider = v.properties("GitHubOidcProvider");
            assertEquals("https://token.actions.githubusercontent.com", provider.path("Url").asText());
            assertEquals("[\"sts.amazonaws.com\"]", provider.path("ClientIdList").toString());
        }
        JsonNode role = v.properties("GitHubPushRole");
        JsonNode trust = role.path("AssumeRolePolicyDocument").path("Statement");
        assertEquals(1, trust.size());
        JsonNode statement = trust.get(0);
        assertEquals(ci.equals("create-provider") ? "{GitHubOidcProvider}" : GITHUB_PROVIDER, statement.path("Principal").path("Federated").asText());
        assertEquals("sts:AssumeRoleWithWebIdentity", statement.path("Action").asText());
        assertEquals("sts.amazonaws.com", statement.path("Condition").path("StringEquals").path("token.actions.githubusercontent.com:aud").asText());
        assertEquals("repo:" + GITHUB_REPOSITORY + ":ref:refs/tags/v*",
                statement.path("Condition").path("StringLike").path("token.actions.githubusercontent.com:sub").asText());
        Map<String, Set<String>> grants = new LinkedHashMap<>();
        role.path("Policies").forEach(p -> p.path("PolicyDocument").path("Statement")
                .forEach(st -> grants.put(st.path("Resource").asText(), texts(st.path("Action")))));
        assertEquals(Map.of("*", Set.of("ecr:GetAuthorizationToken"),
                        "arn:aws:ecr:us-east-1:123456789012:repository/web", Set.of("ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage")),
                grants, "only the login and pushing to the service's repository");
        assertEquals("{GitHubPushRole.Arn}", v.output("GitHubPushRoleArn").orElseThrow());
    }

    // ---------------------------------------------------------------- task hardening

    /** Always an init process, never privileged, the Fargate platform pinned; a non-root user and a read-only root on request. */
    private static void hardening(Options o, Variant v) {
        JsonNode container = v.properties("TaskDefinition").path("ContainerDefinitions").get(0);
        assertTrue(container.path("LinuxParameters").path("InitProcessEnabled").asBoolean(), "init process");
        assertFalse(container.path("Privileged").asBoolean(false), "never privileged");
        String platform = v.properties("Service").path("PlatformVersion").asText();
        assertTrue(platform.matches("[0-9]+[.][0-9]+[.][0-9]+"), "pinned platform version, not " + platform);
        String hardening = o.get("hardening");
        assertEquals(hardening.startsWith("user") ? "1000:1000" : null, container.has("User") ? container.path("User").asText() : null);
        boolean readOnly = hardening.endsWith("read-only");
        assertEquals(readOnly, container.path("ReadonlyRootFilesystem").asBoolean(false));
        if (readOnly) {
            assertEquals("[{\"SourceVolume\":\"tmp\",\"ContainerPath\":\"/tmp\",\"ReadOnly\":false}]", container.path("MountPoints").toString());
            assertEquals("[{\"Name\":\"tmp\"}]", v.properties("TaskDefinition").path("Volumes").toString());
        } else {
            assertFalse(container.has("MountPoints"));
            assertFalse(v.properties("TaskDefinition").has("Volumes"));
        }
    }

    // ---------------------------------------------------------------- admin access

    /**
     * ECS Exec: on the service, sessions encrypted with the stack's key and logged to an encrypted log
     * group, the task role allowed exactly what the agent needs, the tasks reach the ssmmessages
     * endpoint. The admin host: private subnet, no key pair, no public IP, no inbound rule, IMDSv2,
     * encrypted disk, reaches the Session Manager endpoints (and the database when there is one), its
     * role limited to Session Manager. The operators' policy grants exactly what the enabled parts need.
     */
    private static void adminAccess(Options o, Variant v) {
        Network net = new Network(v);
        JsonNode cluster = v.properties("Cluster").path("Configuration");
        JsonNode service = v.properties("Service");
        assertEquals(o.on("exec") || o.on("adminHost"), v.exists("SsmMessagesEndpoint"));
        assertEquals(o.on("exec") || o.on("adminHost"), v.exists("AdminAccessPolicy"));
        Set<String> granted = new TreeSet<>();
        if (v.exists("AdminAccessPolicy")) {
            v.properties("AdminAccessPolicy").path("PolicyDocument").path("Statement").forEach(st -> granted.add(st.path("Sid").asText()));
        }
        if (!o.on("exec")) {
            assertFalse(service.has("EnableExecuteCommand"));
            assertFalse(cluster.has("ExecuteCommandConfiguration"));
            assertFalse(v.properties("TaskRole").has("Policies"), "the task role has no permission without ECS Exec");
            assertFalse(v.exists("ExecLogGroup"));
            assertFalse(granted.contains("ExecIntoTheApplication"));
        } else {
            assertTrue(service.path("EnableExecuteCommand").asBoolean());
            JsonNode exec = cluster.path("ExecuteCommandConfiguration");
            assertEquals("{Key}", exec.path("KmsKeyId").asText());
            assertEquals("OVERRIDE", exec.path("Logging").asText());
            assertFalse(v.properties("ExecLogGroup").has("LogGroupName"), "CloudFormation names the retained group");
            assertFalse(exec.path("LogConfiguration").path("CloudWatchLogGroupName").asText().isBlank(), exec.toString());
            assertTrue(exec.path("LogConfiguration").path("CloudWatchEncryptionEnabled").asBoolean());
            assertEquals("{Key.Arn}", v.properties("ExecLogGroup").path("KmsKeyId").asText());
            assertEquals(Set.of("kms:Decrypt", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents",
                            "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
                            "ssmmessages:OpenDataChannel"),
                    actions(v.properties("TaskRole").path("Policies")));
            for (String subnet : List.of("PrivateSubnetA", "PrivateSubnetB")) {
                assertTrue(net.reaches(new Network.Endpoint("AppSecurityGroup", subnet), new Network.Endpoint("EndpointSecurityGroup", subnet), 443));
            }
            assertTrue(granted.containsAll(Set.of("ExecIntoTheApplication", "EncryptExecSessions")), granted.toString());
            JsonNode statement = statement(v.properties("AdminAccessPolicy"), "ExecIntoTheApplication");
            assertEquals(v.parameters.get("ContainerName"), statement.path("Condition").path("StringEquals").path("ecs:container-name").asText());
        }
        if (!o.on("adminHost")) {
            assertFalse(v.exists("AdminHost"));
            assertTrue(v.output("AdminHostId").isEmpty());
            assertFalse(granted.contains("ForwardPortsThroughTheAdminHost"));
            return;
        }
        JsonNode host = v.properties("AdminHost");
        String subnet = Network.id(host.path("SubnetId"));
        assertTrue(subnet.startsWith("PrivateSubnet"), subnet);
        assertFalse(host.has("KeyName"), "no key pair");
        assertFalse(host.has("NetworkInterfaces"), "no public address");
        assertFalse(v.properties(subnet).path("MapPublicIpOnLaunch").asBoolean());
        assertEquals(Set.of(), sources(v, "AdminHostSecurityGroup"), "no inbound rule");
        JsonNode template = v.properties("AdminHostLaunchTemplate").path("LaunchTemplateData");
        assertEquals("required", template.path("MetadataOptions").path("HttpTokens").asText());
        JsonNode disk = template.path("BlockDeviceMappings").get(0).path("Ebs");
        assertTrue(disk.path("Encrypted").asBoolean());
        assertEquals("{Key.Arn}", disk.path("KmsKeyId").asText());
        assertEquals(Set.of("ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"), actions(v.properties("AdminHostRole").path("Policies")));
        Network.Endpoint self = new Network.Endpoint("AdminHostSecurityGroup", subnet);
        for (String endpoint : List.of("SsmEndpoint", "SsmMessagesEndpoint")) {
            assertEquals("[\"{EndpointSecurityGroup}\"]", v.properties(endpoint).path("SecurityGroupIds").toString());
            assertTrue(net.reaches(self, new Network.Endpoint("EndpointSecurityGroup", subnet), 443), "admin host -> " + endpoint);
        }
        assertEquals("{AdminHost}", v.output("AdminHostId").orElseThrow());
        JsonNode forward = statement(v.properties("AdminAccessPolicy"), "ForwardPortsThroughTheAdminHost");
        assertEquals(Set.of("arn:aws:ec2:us-east-1:123456789012:instance/{AdminHost}",
                "arn:aws:ssm:us-east-1::document/AWS-StartPortForwardingSessionToRemoteHost"), texts(forward.path("Resource")));
        assertEquals(!o.get("database").equals("none"), granted.contains("ReadTheDatabaseMasterLogin"));
    }

    private static Set<String> actions(JsonNode policies) {
        Set<String> actions = new TreeSet<>();
        policies.forEach(p -> p.path("PolicyDocument").path("Statement").forEach(st -> actions.addAll(texts(st.path("Action")))));
        return actions;
    }

    private static JsonNode statement(JsonNode policy, String sid) {
        for (JsonNode st : policy.path("PolicyDocument").path("Statement")) {
            if (st.path("Sid").asText().equals(sid)) {
                return st;
            }
        }
        throw new AssertionError("no statement " + sid + " in " + policy);
    }

    private static Set<String> texts(JsonNode node) {
        Set<String> texts = new TreeSet<>();
        if (node.isArray()) {
            node.forEach(n -> texts.add(n.asText()));
        } else {
            texts.add(node.asText());
        }
        return texts;
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

    /**
     * The configuration document as the stack writes it, the database's address (a GetAtt, a placeholder here) resolved
     * to one of the form RDS gives, as the functions read it.
     */
    private static PipelineConfig configuration(Variant v) {
        return ConfigParser.parse(v.properties("ConfigParameter").path("Value").asText()
                .replace(v.placeholder("Database.Endpoint.Address"), "pushdeploy-web.c9akciq32.us-east-1.rds.amazonaws.com"));
    }
}
