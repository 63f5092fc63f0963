package dev.pushdeploy.local.ecs;

import static dev.pushdeploy.local.ecs.FleetTest.TD1;
import static dev.pushdeploy.local.ecs.FleetTest.TD2;
import static dev.pushdeploy.local.ecs.FleetTest.motoService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sample ECS events in {@code events/} (shaped after the ECS developer guide's examples) and
 * the events the simulator sends agree: the simulator sends no field the samples lack, and both
 * have the same values where the kind of event fixes them.
 */
class EcsEventSamplesTest {
    static final Path EVENTS = Path.of("..", "events");

    @ParameterizedTest
    @CsvSource({
            "ecs-deployment-in-progress.json, ECS Deployment State Change, SERVICE_DEPLOYMENT_IN_PROGRESS, in progress.",
            "ecs-deployment-completed.json, ECS Deployment State Change, SERVICE_DEPLOYMENT_COMPLETED, completed.",
            "ecs-deployment-failed.json, ECS Deployment State Change, SERVICE_DEPLOYMENT_FAILED, circuit breaker: task failed",
            "ecs-deployment-rollback-in-progress.json, ECS Deployment State Change, SERVICE_DEPLOYMENT_IN_PROGRESS, rolling back",
            "ecs-service-steady-state.json, ECS Service Action, SERVICE_STEADY_STATE, ",
            "ecs-task-stopped.json, ECS Task State Change, EssentialContainerExited, "})
    void theSimulatorSendsWhatTheSampleShows(String file, String detailType, String kind, String reasonPart) throws IOException {
        JsonNode sample = Json.tree(Files.readString(EVENTS.resolve(file)));
        assertEquals(detailType, sample.path("detail-type").asText());
        Predicate<JsonNode> sameKind = e -> e.path("detail-type").asText().equals(detailType)
                && (kind.equals(e.path("detail").path("eventName").asText()) || kind.equals(e.path("detail").path("stopCode").asText()))
                && (reasonPart == null || e.path("detail").path("reason").asText().contains(reasonPart));
        assertTrue(sameKind.test(sample), file + " is not what its name says");
        JsonNode simulated = crashLoopEvents().stream().filter(sameKind).findFirst()
                .orElseThrow(() -> new AssertionError("the simulator sent no " + kind + " event"));

        Set<String> extra = new TreeSet<>(paths(simulated));
        extra.removeAll(paths(sample));
        assertEquals(Set.of(), extra, "fields the simulator sends that " + file + " does not have");
        for (String fixed : List.of("/source", "/detail-type", "/version", "/detail/eventType", "/detail/eventName",
                "/detail/lastStatus", "/detail/desiredStatus", "/detail/group", "/detail/launchType")) {
            assertEquals(sample.at(fixed), simulated.at(fixed), fixed + " of " + file);
        }
        assertEquals(sample.path("resources").size(), simulated.path("resources").size());
    }

    /** A crash loop and the circuit breaker's rollback: every kind of event the samples show. */
    static List<ObjectNode> crashLoopEvents() {
        FleetTest.ManualClock clock = new FleetTest.ManualClock();
        List<ObjectNode> events = new ArrayList<>();
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(motoService(TD1));
        fleet.events(events::add);
        fleet.scenario(Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), Json.object());
        clock.at(60);
        fleet.advance();
        return events;
    }

    /** Every field path of a document ({@code /detail/containers[]/exitCode}). */
    static Set<String> paths(JsonNode node) {
        Set<String> paths = new TreeSet<>();
        collect(node, "", paths);
        return paths;
    }

    private static void collect(JsonNode node, String path, Set<String> into) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                into.add(path + "/" + field.getKey());
                collect(field.getValue(), path + "/" + field.getKey(), into);
            });
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, path + "[]", into));
        }
    }
}
