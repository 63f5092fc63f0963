package dev.pushdeploy.log;

/** Where {@link StepLog} lines go: the Lambda runtime's logger in production, a list in tests. */
public interface LogSink {
    /** Whether lines of this level are wanted at all (checked before one is built). */
    default boolean enabled(Level level) {
        return true;
    }

    void write(LogEvent event);
}
