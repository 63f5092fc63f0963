package dev.pushdeploy.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.stack.PipelineTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The template's push rule, applied with event-ruler as EventBridge would. */
class EventRuleTest {
    static final Path EVENTS = Path.of("..", "events");

    final EventRule rule = new EventRule(PipelineTemplate.expand(Path.of("..", "template.yaml"), Map.of())
            .deploy(name -> Optional.of("none"), PipelineTemplate.localNames().withPlaceholders()).eventPatterns());

    @Test
    void aSuccessfulPushToTheServicesRepositoryMatches() {
        assertTrue(rule.matches(push("web").toString()));
    }

    @Test
    void otherRepositoriesActionsAndResultsDoNot() {
        assertFalse(rule.matches(push("api").toString()));
        ObjectNode delete = push("web");
        ((ObjectNode) delete.get("detail")).put("action-type", "DELETE");
        assertFalse(rule.matches(delete.toString()));
        ObjectNode failed = push("web");
        ((ObjectNode) failed.get("detail")).put("result", "FAILURE");
        assertFalse(rule.matches(failed.toString()));
        ObjectNode other = push("web");
        other.put("source", "custom.ecr");
        assertFalse(rule.matches(other.toString()));
    }

    /** The pipeline's keep tags (Finalize's retag of a live image) start nothing; other tags and untagged pushes arrive. */
    @Test
    void aPushOfAKeepTagDoesNotMatch() {
        assertFalse(rule.matches(tagged("pushdeploy-web-12").toString()));
        assertTrue(rule.matches(tagged("v1.0.0-pushdeploy-web").toString()), "only the prefix is the pipeline's");
        assertTrue(rule.matches(tagged("pushdeploy").toString()), "only the prefix with its dash is the pipeline's");
        assertEquals("", tagged(null).get("detail").get("image-tag").asText(), "ECR's untagged push");
        assertTrue(rule.matches(tagged(null).toString()), "a push without a tag, an empty tag as ECR sends it");
        ObjectNode untagged = push("web");
        ((ObjectNode) untagged.get("detail")).putNull("image-tag");
        assertTrue(rule.matches(untagged.toString()), "a push without a tag, null");
        ((ObjectNode) untagged.get("detail")).remove("image-tag");
        assertTrue(rule.matches(untagged.toString()), "a push without a tag, no field");
    }

    private static ObjectNode tagged(String tag) {
        return LocalRuntime.ecrPushEvent("web", tag, "sha256:" + "a".repeat(64));
    }

    @Test
    void theSampleEventsMatchAsTheirNamesSay() throws Exception {
        assertTrue(rule.matches(Files.readString(EVENTS.resolve("ecr-push.json"))));
        assertTrue(rule.matches(Files.readString(EVENTS.resolve("ecr-push-latest.json"))), "the tag filter is Prepare's");
        assertFalse(rule.matches(Files.readString(EVENTS.resolve("ecr-push-delete.json"))));
    }

    @Test
    void onlyEventBridgeEnvelopesAreEvents() {
        assertTrue(EventRule.isEvent(push("web")));
        assertFalse(EventRule.isEvent(Json.tree("{\"action\": \"deploy\", \"image\": \"web:v1.0.0\"}")));
    }

    static ObjectNode push(String repository) {
        return LocalRuntime.ecrPushEvent(repository, "v1.1.0", "sha256:" + "a".repeat(64));
    }
}
