package dev.pushdeploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.endpoint.WriteCounter;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Priming has no side effect: each handler's SnapStart priming, run alone in a fresh JVM as {@link ColdStartBenchmarkIT}
 * starts one, through its front (which records every call and denies what the handler's role denies), sends reads
 * only, and gets as far as its answer ({@code target/bench/priming.txt} says how far each got). A check, not a
 * measurement: it runs with the emulator's tests, not alone with the benchmarks.
 */
@ExtendWith(EmulatorExtension.class)
class PrimingIT {
    @BeforeAll
    static void templateAndCloudFormation() throws IOException {
        ColdStartBenchmarkIT.templateExpanded();
        ColdStartBenchmarkIT.cloudFormationTakesAnswers();
    }

    @AfterAll
    static void cloudFormationStops() {
        ColdStartBenchmarkIT.cloudFormationStops();
    }

    @Test
    void primingSendsReadsOnly(Emulator emulator) throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%-32s %-40s %6s %9s", "handler", "priming request", "reads", "answered"));
        Path classLog = Files.createDirectories(Path.of("target", "bench")).resolve("priming.classes");
        for (ColdStartBenchmarkIT.Case c : ColdStartBenchmarkIT.CASES) {
            try (ColdStartBenchmarkIT.Front front = ColdStartBenchmarkIT.Front.staged(emulator, c)) {
                List<String> operations = front.operations;
                operations.clear();
                front.deny(c.handler());
                String output = ColdStartBenchmarkIT.output(front.world, ColdStartBenchmarkIT.javaToolOptions(c.handler()),
                        "dev.pushdeploy.handler." + c.handler(), front.event, "prime", classLog);
                JsonNode primed = output.lines().filter(l -> l.contains("\"message\":\"primed\"")).map(Json::tree)
                        .findFirst().orElseThrow(() -> new AssertionError(c.handler() + " logged no priming:\n" + output));
                assertEquals(List.of(), operations.stream().filter(o -> WriteCounter.isMutating(o.substring(o.indexOf(':') + 1)))
                        .toList(), c.handler() + "'s priming sent writes");
                assertEquals(operations.size(), primed.path("reads").asInt(), c.handler() + ": reads sent " + operations);
                assertTrue(operations.size() >= 2, c.handler() + " primed through no real request: " + operations);
                assertEquals("answered", primed.path("request").asText(), c.handler() + "'s priming did not reach its answer: " + primed);
                assertFalse(primed.path("request").asText().startsWith("stopped at AwsFailure")
                        && operations.get(operations.size() - 1).equals("ecs:DescribeServices"),
                        c.handler() + " stopped at the live revision's read: " + primed);
                report.add(String.format(Locale.ROOT, "%-32s %-40s %6d %9d", c.handler(), primed.path("request").asText(),
                        primed.path("reads").asInt(), primed.path("answeredInProcess").asInt()));
            }
        }
        Files.write(Files.createDirectories(Path.of("target", "bench")).resolve("priming.txt"), report);
        report.forEach(System.out::println);
    }
}
