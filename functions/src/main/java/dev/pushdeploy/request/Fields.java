package dev.pushdeploy.request;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.error.InvalidRequestException;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the string fields of an input with hard limits: every string is capped (in bytes of UTF-8)
 * and may contain only printable characters, so that whatever a reason echoes back is safe to log.
 */
final class Fields {
    /** Step Functions execution names: 1-80 characters, no whitespace, brackets, wildcards or {@code "#%\^|~`$&,;:/}. */
    private static final Pattern EXECUTION_NAME = Pattern.compile("[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/]{1,80}");

    private Fields() {
    }

    /** A required string member of {@code object}; {@code path} names it in errors. */
    static String required(JsonNode object, String member, String path, int max) {
        String value = optional(object, member, path, max);
        if (value == null) {
            throw new InvalidRequestException(path, "is required");
        }
        return value;
    }

    /** An optional string member: null when absent or JSON null. */
    static String optional(JsonNode object, String member, String path, int max) {
        JsonNode node = object.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidRequestException(path, "must be a string, not " + node.getNodeType().name().toLowerCase());
        }
        String value = node.asText();
        check(path, value, max);
        return value.isEmpty() ? null : value;
    }

    /** Rejects strings over {@code max} bytes of UTF-8 and any non-printable character (controls, format, private use). */
    static void check(String path, String value, int max) {
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

    /** Every member of {@code object} must be one of {@code allowed} (typos must not pass silently). */
    static void only(JsonNode object, Set<String> allowed, String what) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                throw new InvalidRequestException(printableOrEscaped(shown), "is not a field of " + what + " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    /** The execution name, which becomes the request id. */
    static String requestId(String executionName) {
        if (executionName == null || executionName.isEmpty()) {
            throw new InvalidRequestException("executionName", "is required");
        }
        check("executionName", executionName, 80);
        if (!EXECUTION_NAME.matcher(executionName).matches()) {
            throw new InvalidRequestException("executionName", "'" + executionName + "' is not a valid execution name");
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

    static String printableOrEscaped(String text) {
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
