package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.run.EventRule;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rule that answers a run waiting for its image's scan, evaluated with the scan gate on and matched with AWS's
 * matcher (event-ruler): ECR's documented "ECR Image Scan" (events/ecr-image-scan.json) and Amazon Inspector's
 * "Inspector2 Scan" of an image of the stack's repository reach ScanEvents; a push, another repository's scan and
 * an EC2 instance's Inspector scan do not. Without the gate there is no rule.
 */
class ScanEventsRuleTest {
    private static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64);
    private static final Deployment GATED = Deployments.withRelease(Map.of("EnableScanGate", "true"), IMAGE);
    private static final EventRule RULE = new EventRule(Map.of("scan", GATED.properties("ScanEventsRule").path("EventPattern").toString()));
    /** Amazon Inspector's documented initial scan of an ECR image, for the stack's repository. */
    private static final String INSPECTOR2_SCAN = """
            {"version": "0", "id": "739c0d3c-4f02-85c7-5a88-94a9EXAMPLE", "detail-type": "Inspector2 Scan",
             "source": "aws.inspector2", "account": "123456789012", "time": "2021-12-03T18:03:16Z", "region": "us-east-1",
             "resources": ["arn:aws:ecr:us-east-1:123456789012:repository/web"],
             "detail": {"scan-status": "INITIAL_SCAN_COMPLETE", "repository-name": "arn:aws:ecr:us-east-1:123456789012:repository/web",
                        "finding-severity-counts": {"CRITICAL": 7, "HIGH": 61, "MEDIUM": 62, "TOTAL": 158},
                        "image-digest": "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE", "image-tags": ["latest"]}}""";

    @Test
    void ecrsAndInspectorsScanOfTheStacksImagesReachScanEvents() throws IOException {
        assertEquals(List.of("scan"), RULE.matching(sample("ecr-image-scan.json").toString()));
        assertEquals(List.of("scan"), RULE.matching(INSPECTOR2_SCAN));
    }

    @Test
    void aPushAnotherRepositorysScanAndAnInstancesScanAreNotForUs() throws IOException {
        ObjectNode otherRepository = sample("ecr-image-scan.json");
        otherRepository.putArray("resources").add("arn:aws:ecr:us-east-1:123456789012:repository/other");
        ObjectNode instance = (ObjectNode) Json.tree(INSPECTOR2_SCAN);
        instance.putArray("resources").add("i-087d63509b8c97098");
        for (ObjectNode event : List.of(sample("ecr-push.json"), otherRepository, instance)) {
            assertEquals(List.of(), RULE.matching(event.toString()), event.toString());
        }
    }

    @Test
    void theRuleTargetsScanEventsAndExistsOnlyWithTheGate() {
        String target = GATED.properties("ScanEventsRule").path("Targets").get(0).path("Arn").asText();
        assertEquals(GATED.properties("ScanEventsRulePermission").path("FunctionName").asText(), target);
        assertTrue(target.contains("ScanEventsFunction"), target);
        Deployment ungated = Deployments.withRelease(Map.of(), IMAGE);
        assertTrue(GATED.exists("ScanEventsRule") && GATED.exists("ScanEventsRulePermission"));
        assertTrue(!ungated.exists("ScanEventsRule") && !ungated.exists("ScanEventsRulePermission"), "no scan rule without the gate");
    }

    private static ObjectNode sample(String file) throws IOException {
        return (ObjectNode) Json.tree(Files.readString(Repo.events(file)));
    }
}
