package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * template.yaml evaluates under its options: every resource and output of the expanded template,
 * before and after a first release, with the defaults, with each allowed value of each parameter
 * that lists them, and with every option on at once (sample values for the optional free-form
 * parameters). What the local stack derives from the template is evaluated the same way.
 */
class TemplateOptionsTest {
    private static final String RELEASE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64);
    /** Values that switch on the options whose parameters take free text (left out if the template has no such parameter). */
    private static final Map<String, String> SAMPLES = Map.of(
            "CertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/0b8c1f6e-1111-4222-8333-944455556666",
            "WafBlockedCountries", "KP,IR",
            "WafCaptchaCountries", "CN",
            "WafRateLimit", "2000",
            "SmokeCheckUrl", "https://www.example.com/health",
            "NotificationEmail", "ops@example.com");

    static List<Map<String, String>> options() {
        CfnTemplate template = Deployments.TEMPLATE;
        List<Map<String, String>> options = new ArrayList<>();
        options.add(Map.of());
        Map<String, String> everything = new LinkedHashMap<>();
        template.parameters().properties().forEach(p -> {
            JsonNode allowed = p.getValue().path("AllowedValues");
            for (JsonNode value : allowed) {
                if (!value.asText().equals(p.getValue().path("Default").asText())) {
                    options.add(Map.of(p.getKey(), value.asText()));
                }
            }
            if (allowed.size() > 0) {
                everything.put(p.getKey(), allowed.get(allowed.size() - 1).asText());
            }
            if (SAMPLES.containsKey(p.getKey())) {
                options.add(Map.of(p.getKey(), SAMPLES.get(p.getKey())));
                everything.put(p.getKey(), SAMPLES.get(p.getKey()));
            }
        });
        template.parameters().properties().forEach(p -> {
            if (Set.of("true", "false").contains(p.getValue().path("Default").asText())) {
                everything.put(p.getKey(), "true");
            }
        });
        options.add(everything);
        return options;
    }

    @Test
    void everyIntrinsicFunctionOfTheTemplateIsOneTheDeploymentsEvaluate() {
        assertEquals(Set.of(), Deployments.TEMPLATE.unsupportedFunctions());
    }

    @ParameterizedTest
    @MethodSource("options")
    void everyResourceAndOutputEvaluates(Map<String, String> parameters) {
        for (String release : new String[] {"none", RELEASE}) {
            Deployment stack = Deployments.withRelease(parameters, release);
            int evaluated = 0;
            for (String id : stack.template().resources().keySet()) {
                if (stack.exists(id)) {
                    stack.properties(id);
                    evaluated++;
                }
            }
            assertFalse(stack.outputs().isEmpty());
            assertFalse(evaluated == 0);
            PipelineTemplate local = new PipelineTemplate(stack);
            assertFalse(local.functions().isEmpty());
            assertFalse(local.eventPatterns().isEmpty());
            assertFalse(local.stateMachine().definitionText().contains("${"));
            ConfigParser.parse(local.configDocument().orElseThrow());
        }
    }
}
