package dev.pushdeploy.adapter.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.log.Level;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.secrets.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** StepLog lines through the Lambda logger: finished JSON objects as bytes, with their level, filtered by level. */
class LambdaLogSinkTest {
    /** What the runtime client receives: the bytes and the level of each call. */
    static final class RecordingLogger implements LambdaLogger {
        final List<String> lines = new ArrayList<>();
        final List<LogLevel> levels = new ArrayList<>();

        @Override
        public void log(String message) {
            throw new AssertionError("a String would be wrapped as the message of another JSON line");
        }

        @Override
        public void log(byte[] message) {
            throw new AssertionError("a line without a level would be UNDEFINED");
        }

        @Override
        public void log(byte[] message, LogLevel level) {
            lines.add(new String(message, StandardCharsets.UTF_8));
            levels.add(level);
        }
    }

    @Test
    void eachLineIsOneJsonObjectWithARealLevelAndOurFieldsAsFields() {
        RecordingLogger logger = new RecordingLogger();
        StepLog log = StepLog.to(new LambdaLogSink(logger, Level.INFO), "CheckDeployment")
                .forRequest("0f6c1b2a-req").forService("pushdeploy/web");

        log.warn("rolling back", "verdict", Verdict.FAILED, "running", 1, "detail", Map.of("desired", 2), "level", "mine");

        assertEquals(List.of(LogLevel.WARN), logger.levels);
        String line = logger.lines.get(0);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
        JsonNode json = Trees.tree(line);
        assertEquals("WARN", json.path("level").asText());
        assertEquals("rolling back", json.path("message").asText());
        assertEquals("0f6c1b2a-req", json.path("AWSRequestId").asText());
        assertEquals("CheckDeployment", json.path("step").asText());
        assertEquals("pushdeploy/web", json.path("service").asText());
        assertEquals("FAILED", json.path("verdict").asText());
        assertEquals(1, json.path("running").asInt());
        assertEquals(2, json.path("detail").path("desired").asInt());
        assertEquals("mine", json.path("field.level").asText(), "a field never replaces the level");
        assertTrue(json.path("timestamp").asText().endsWith("Z"), line);
    }

    @Test
    void linesBelowTheApplicationLogLevelAreDropped() {
        RecordingLogger logger = new RecordingLogger();
        StepLog log = StepLog.to(new LambdaLogSink(logger, Level.WARN), "Prepare");

        log.debug("details");
        log.info("prepared");
        log.warn("slow");
        log.error("failed");

        assertEquals(List.of(LogLevel.WARN, LogLevel.ERROR), logger.levels);
    }

    @Test
    void theLevelNamesLambdaUsesAndFallbacks() {
        assertEquals(Level.DEBUG, Level.parse("debug", Level.INFO));
        assertEquals(Level.INFO, Level.parse(null, Level.INFO));
        assertEquals(Level.INFO, Level.parse("LOUD", Level.INFO));
        for (Level level : Level.values()) {
            assertEquals(level.name(), LogLevel.valueOf(level.name()).name());
        }
    }

    @Test
    void aSecretValueIsNeverWritten() {
        RecordingLogger logger = new RecordingLogger();
        StepLog log = StepLog.to(new LambdaLogSink(logger, Level.INFO), "RotateSecrets");
        assertThrows(IllegalArgumentException.class, () -> log.info("rotated", "value", SecretValue.of("hunter2-hunter2")));
        assertEquals(List.of(), logger.lines);
    }
}
