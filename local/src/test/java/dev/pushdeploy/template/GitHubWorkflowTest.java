package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pushdeploy.local.template.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example workflow for an application repository (docs/github-actions/push-image.yml) works
 * with the stack's CI role: it runs only for release tags, takes the role through OIDC (no stored
 * keys), pushes the tag it runs for, and the refs it runs for are exactly those the role's trust
 * admits (GitHubRefPattern) whose tags the pipeline deploys (TagPattern).
 */
class GitHubWorkflowTest {
    private static final Path WORKFLOW = Repo.ROOT.resolve("docs/github-actions/push-image.yml");
    private static final String REPOSITORY = "example/shop";

    private static JsonNode workflow() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(WORKFLOW));
    }

    private static JsonNode triggers(JsonNode workflow) {
        return workflow.has("on") ? workflow.path("on") : workflow.path("true");
    }

    @Test
    void itRunsForReleaseTagsOnlyAndTakesTheRoleThroughOidc() throws IOException {
        JsonNode workflow = workflow();
        JsonNode on = triggers(workflow);
        assertEquals(List.of("push"), names(on), "only pushes trigger it");
        assertEquals(List.of("tags"), names(on.path("push")), "only tag pushes");
        assertEquals("write", workflow.path("permissions").path("id-token").asText());
        assertEquals("read", workflow.path("permissions").path("contents").asText());

        String text = Files.readString(WORKFLOW);
        assertFalse(text.contains("aws-access-key-id") || text.contains("secrets.AWS"), "no long-lived keys");
        List<JsonNode> steps = new ArrayList<>();
        workflow.path("jobs").path("push").path("steps").forEach(steps::add);
        JsonNode credentials = steps.stream().filter(s -> s.path("uses").asText().startsWith("aws-actions/configure-aws-credentials@"))
                .findFirst().orElseThrow();
        assertEquals("${{ vars.PUSHDEPLOY_ROLE_ARN }}", credentials.path("with").path("role-to-assume").asText());
        JsonNode push = steps.get(steps.size() - 1);
        assertEquals("${{ steps.ecr.outputs.registry }}/${{ vars.ECR_REPOSITORY }}:${{ github.ref_name }}", push.path("env").path("IMAGE").asText());
        assertTrue(push.path("run").asText().contains("docker push \"$IMAGE\""), push.path("run").asText());
    }

    /** A tag the workflow runs for is one the role trusts and the pipeline deploys; others are none of these. */
    @Test
    void theRefsItRunsForAreTheOnesTheRoleTrustsAndThePipelineDeploys() throws IOException {
        Deployment stack = Deployments.withRelease(Map.of("GitHubRepository", REPOSITORY), "none");
        JsonNode trust = stack.properties("GitHubPushRole").path("AssumeRolePolicyDocument").path("Statement").get(0);
        String subject = trust.path("Condition").path("StringLike").path("token.actions.githubusercontent.com:sub").asText();
        assertEquals("sts.amazonaws.com", trust.path("Condition").path("StringEquals").path("token.actions.githubusercontent.com:aud").asText());
        Pattern tagPattern = Pattern.compile(Deployments.TEMPLATE.parameterDefault("TagPattern").orElseThrow());
        List<Pattern> triggers = new ArrayList<>();
        triggers(workflow()).path("push").path("tags").forEach(t -> triggers.add(glob(t.asText())));

        for (String tag : List.of("v1.2.3", "v10.0.12")) {
            assertTrue(triggers.stream().anyMatch(p -> p.matcher(tag).matches()), tag + " runs the workflow");
            assertTrue(Iam.matches(subject, "repo:" + REPOSITORY + ":ref:refs/tags/" + tag), tag + " is trusted by " + subject);
            assertTrue(tagPattern.matcher(tag).matches(), tag + " deploys");
        }
        for (String tag : List.of("latest", "build-7", "v1.2")) {
            assertFalse(triggers.stream().anyMatch(p -> p.matcher(tag).matches()), tag + " does not run the workflow");
        }
        assertFalse(Iam.matches(subject, "repo:" + REPOSITORY + ":ref:refs/heads/main"), "branch runs are not trusted");
        assertFalse(Iam.matches(subject, "repo:example/other:ref:refs/tags/v1.2.3"), "other repositories are not trusted");
        assertFalse(Iam.matches(subject, "repo:" + REPOSITORY + ":pull_request"), "pull requests are not trusted");
    }

    /** GitHub's filter glob: {@code *} matches any characters but {@code /}. */
    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? "[^/]*" : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
