package dev.pushdeploy.request;

import dev.pushdeploy.error.InvalidRequestException;
import java.util.regex.Pattern;

/**
 * The limits on an input's string fields: every string is capped (in bytes of UTF-8) and may contain
 * only printable characters, so that whatever a reason echoes back is safe to log.
 */
public final class Fields {
    /** Step Functions execution names: 1-80 characters, no whitespace, brackets, wildcards or {@code "#%\^|~`$&,;:/}. */
    private static final Pattern EXECUTION_NAME = Pattern.compile("[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/]{1,80}");

    private Fields() {
    }

    /** Rejects strings over {@code max} bytes of UTF-8 and any non-printable character (controls, format, private use). */
    public static void check(String path, String value, int max) {
        int bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > max) {
            throw new InvalidRequestException(path, "is " + bytes + " bytes long; at most " + max + " are allowed");
        }
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            if (!printable(c)) {
                throw new InvalidRequestException(path, String.format("contains the non-printable character U+%04X at position %d", c, i));
            }
            i += Character.charCount(c);
        }
    }

    /** The execution name, which becomes the request id. */
    static String requestId(String executionName) {
        return executionName("executionName", executionName);
    }

    /** An execution name (a request id) given at {@code path}. */
    public static String executionName(String path, String executionName) {
        if (executionName == null || executionName.isEmpty()) {
            throw new InvalidRequestException(path, "is required");
        }
        check(path, executionName, 80);
        if (!EXECUTION_NAME.matcher(executionName).matches()) {
            throw new InvalidRequestException(path, "'" + executionName + "' is not a valid execution name");
        }
        return executionName;
    }

    static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
                    Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** {@code text} with every non-printable character as a {@code \\uXXXX} escape. */
    public static String printableOrEscaped(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (printable(c)) {
                out.appendCodePoint(c);
            } else {
                out.append(String.format("\\u%04X", c));
            }
        });
        return out.toString();
    }
}
