package dev.pushdeploy.log;

import java.util.Locale;

/** Severity of a log line, lowest first (the names Lambda's ApplicationLogLevel uses). */
public enum Level {
    TRACE, DEBUG, INFO, WARN, ERROR, FATAL;

    /** The level named {@code name} (any case), or {@code fallback} for null, blank or unknown names. */
    public static Level parse(String name, Level fallback) {
        if (name == null || name.isBlank()) {
            return fallback;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }
}
