package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.template.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Audit: WafRateLimit is "Requests per 5 minutes per client IP above which the WAF blocks (0 disables; the WAF's minimum is
 * 10)", but the parameter takes MinValue 0 and no Rule refuses 1 to 9. Such a value passes CloudFormation's parameter
 * validation, the stack creates the VPC, endpoints, database and so on, and then the WebACL is refused: WAFv2's API model
 * bounds RateBasedStatement.Limit by the shape RateLimit {"type": "long", "min": 10, "max": 2000000000} (botocore
 * data/wafv2/2019-07-29/service-2.json; AWS WAF API reference, RateBasedStatement: "Limit ... Valid Range: Minimum value of
 * 10"). The stack creation rolls back (or the update does) after many minutes instead of being refused up front.
 */
class WafRateLimitRangeTest {

    @Test
    void aRateLimitBelowWafsMinimumIsRefusedBeforeAnythingIsCreated() throws IOException {
        boolean refusedByParameter;
        Deployment stack = null;
        try {
            stack = Deployments.withRelease(Map.of("WafRateLimit", "5"), "none");
            refusedByParameter = false;
        } catch (IllegalArgumentException refused) {
            refusedByParameter = true;
        }
        String yaml = Files.readString(Repo.TEMPLATE_FILE);
        String rules = yaml.substring(yaml.indexOf("\nRules:"), yaml.indexOf("\nGlobals:"));
        boolean refusedByRule = rules.contains("WafRateLimit");
        String limit = stack == null ? "-" : stack.properties("WebAcl").path("Rules").findValue("RateBasedStatement").path("Limit").asText();
        assertTrue(refusedByParameter || refusedByRule,
                "WafRateLimit=5 passes the stack's parameter checks (MinValue 0) and no Rule refuses it: the stack goes on to "
                        + "create WebAcl with RateBasedStatement Limit " + limit + ", which WAFv2 refuses (RateLimit: minimum 10), "
                        + "and CloudFormation rolls back everything created before it");
    }
}
