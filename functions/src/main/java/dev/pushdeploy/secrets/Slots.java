package dev.pushdeploy.secrets;

import dev.pushdeploy.config.SecretSpec;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which slot of a managed secret is live, read from a container's secrets (name → valueFrom, an
 * SSM parameter name or ARN), and which one a rotation writes: always the other one.
 */
public final class Slots {
    public static final String A = "a";
    public static final String B = "b";

    private Slots() {
    }

    /**
     * The slot the container references, if any. An entry named like the secret wins over
     * another entry that happens to reference one of its slots.
     */
    public static Optional<String> live(SecretSpec spec, Map<String, String> containerSecrets) {
        return containerSecrets.entrySet().stream()
                .filter(s -> slotOf(spec, s.getValue()).isPresent())
                .min(Comparator.comparing((Map.Entry<String, String> s) -> !spec.name().equals(s.getKey())))
                .flatMap(s -> slotOf(spec, s.getValue()));
    }

    /** The live slot of each of {@code specs} that the container references: secret name → slot. */
    public static Map<String, String> live(List<SecretSpec> specs, Map<String, String> containerSecrets) {
        Map<String, String> slots = new LinkedHashMap<>();
        for (SecretSpec spec : specs) {
            live(spec, containerSecrets).ifPresent(slot -> slots.put(spec.name(), slot));
        }
        return slots;
    }

    /** The slot a rotation writes: the one not live, {@code a} when nothing is live. */
    public static String next(Optional<String> live) {
        return live.map(slot -> A.equals(slot) ? B : A).orElse(A);
    }

    /** The slot ({@code a} or {@code b}) of {@code spec} that {@code valueFrom} names, if it names one. */
    public static Optional<String> slotOf(SecretSpec spec, String valueFrom) {
        String name = parameterName(valueFrom);
        if (spec.slotParameter(A).equals(name)) {
            return Optional.of(A);
        }
        if (spec.slotParameter(B).equals(name)) {
            return Optional.of(B);
        }
        return Optional.empty();
    }

    /**
     * The parameter name in a {@code valueFrom}: the name itself, or the part after
     * {@code :parameter} of an ARN ({@code arn:aws:ssm:r:acct:parameter/x/y} names {@code /x/y}).
     */
    public static String parameterName(String valueFrom) {
        if (valueFrom == null) {
            return "";
        }
        if (valueFrom.startsWith("arn:")) {
            int at = valueFrom.indexOf(":parameter/");
            return at < 0 ? "" : valueFrom.substring(at + ":parameter".length());
        }
        return valueFrom;
    }
}
