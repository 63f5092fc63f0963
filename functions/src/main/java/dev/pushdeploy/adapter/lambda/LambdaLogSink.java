package dev.pushdeploy.adapter.lambda;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.Level;
import dev.pushdeploy.log.LogEvent;
import dev.pushdeploy.log.LogSink;
import java.nio.charset.StandardCharsets;

/**
 * {@link dev.pushdeploy.log.StepLog} lines through the Lambda runtime's logger. Each line is a
 * finished JSON object handed over as bytes with its level: the runtime client writes bytes as
 * they are (with {@code LogFormat: JSON} it would wrap a String as the {@code message} of a line
 * of its own) and drops levels below {@code AWS_LAMBDA_LOG_LEVEL}, which Lambda sets from the
 * function's ApplicationLogLevel; lines below it are not even built.
 */
public final class LambdaLogSink implements LogSink {
    /** Set by Lambda from the function's ApplicationLogLevel (JSON log format only). */
    public static final String LOG_LEVEL = "AWS_LAMBDA_LOG_LEVEL";

    private final LambdaLogger logger;
    private final Level threshold;

    public LambdaLogSink(LambdaLogger logger, Level threshold) {
        this.logger = logger;
        this.threshold = threshold;
    }

    /** The function's logger with the level Lambda configured (INFO when none is). */
    public static LambdaLogSink of(LambdaLogger logger) {
        return new LambdaLogSink(logger, Level.parse(System.getenv(LOG_LEVEL), Level.INFO));
    }

    @Override
    public boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    @Override
    public void write(LogEvent event) {
        byte[] line = (JsonLogLines.format(event) + "\n").getBytes(StandardCharsets.UTF_8);
        logger.log(line, LogLevel.valueOf(event.level().name()));
    }
}
