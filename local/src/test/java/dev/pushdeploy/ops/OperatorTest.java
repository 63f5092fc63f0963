package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorTest {
    private static final PipelineConfig CONFIG = new PipelineConfig(List.of(
            new Target("web", "pushdeploy", "web", "app", Pattern.compile(".*"), List.of(), Health.DEFAULT, null, 10, 1800),
            new Target("team/api", "pushdeploy", "api", "app", Pattern.compile(".*"), List.of(), Health.DEFAULT, null, 10, 1800)), null);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"action\":\"rollback\",\"service\":\"pushdeploy/api\"} | pushdeploy/api",
        "{\"action\":\"deploy\",\"image\":\"web:v1.2.0\"} | pushdeploy/web",
        "{\"action\":\"deploy\",\"image\":\"123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api@sha256:abc\"} | pushdeploy/api",
        "{\"source\":\"aws.ecr\",\"detail\":{\"repository-name\":\"web\"}} | pushdeploy/web",
        "{\"source\":\"aws.ecr\",\"detail\":{\"repository-name\":\"other\"}} | ",
        "{\"action\":\"deploy\",\"image\":\"other:v1\"} | "})
    void anExecutionBelongsToTheServiceItsInputNames(String input, String service) {
        assertEquals(service == null ? "" : service, Operator.serviceOf(Json.tree(input), CONFIG).orElse(""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "pushdeploy/api # pushdeploy/api",
        "api            # pushdeploy/api",
        "pushdeploy/web # pushdeploy/web",
        "               # the pipeline deploys 2 services; choose one with --service pushdeploy/web | pushdeploy/api",
        "other/web      # --service other/web is not deployed by this pipeline; one of: pushdeploy/web, pushdeploy/api"})
    void serviceChoosesAmongTheTargetsAndAnErrorNamesTheOption(String service, String chosen) {
        try {
            assertEquals(chosen, Operator.target(CONFIG.targets(), service).serviceKey());
        } catch (IllegalArgumentException e) {
            assertEquals(chosen, e.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void theOnlyServiceNeedsNoOption() {
        assertEquals("pushdeploy/web", Operator.target(CONFIG.targets().subList(0, 1), null).serviceKey());
    }

    @ParameterizedTest
    @CsvSource({"web:v1, web", "web@sha256:ab, web", "localhost:5000/team/web:v1, team/web",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:ab, web", "team/web, team/web"})
    void theRepositoryOfAnImageReference(String image, String repository) {
        assertEquals(repository, Operator.repositoryOf(image));
    }
}
