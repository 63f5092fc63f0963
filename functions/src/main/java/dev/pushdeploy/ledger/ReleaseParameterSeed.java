package dev.pushdeploy.ledger;

import dev.pushdeploy.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The release parameters a stack reads, created before anything reads them: each missing one
 * with {@value #NO_RELEASE} (no release yet). An existing parameter is never overwritten — it may
 * hold what the pipeline made live — and none is ever deleted, so deleting and recreating the
 * stack finds the last release again. The names must lie under the stack's prefix; every name is
 * checked before the first is created.
 */
public final class ReleaseParameterSeed {
    /** The value of a release parameter before the first release. */
    public static final String NO_RELEASE = "none";
    /** Three per service for up to 100 services: a request of about 100 KB at most. */
    static final int MAX_NAMES = 300;
    /** Parameter Store's limits for a hierarchical name: characters, 1,011 characters, 15 levels. */
    private static final Pattern NAME = Pattern.compile("(/[A-Za-z0-9_.-]+){1,15}");
    private static final int MAX_NAME_LENGTH = 1011;

    private final ReleaseParameters parameters;

    public ReleaseParameterSeed(ReleaseParameters parameters) {
        this.parameters = parameters;
    }

    /** Creates the missing ones of {@code names} (each under {@code prefix}); returns those it created, in order. */
    public List<String> ensure(String prefix, List<String> names) {
        return ensure(prefix, names, null, null);
    }

    /**
     * As {@link #ensure(String, List)}, for names that were {@code oldNames} under {@code oldPrefix} before (the stack's
     * prefix changed): a missing name is created with the release its old name holds (the same path under the old
     * prefix), else {@value #NO_RELEASE}.
     */
    public List<String> ensure(String prefix, List<String> names, String oldPrefix, List<String> oldNames) {
        check(prefix, names);
        List<String> created = new ArrayList<>();
        for (String name : names) {
            if (parameters.createIfAbsent(name, carried(prefix, name, oldPrefix, oldNames))) {
                created.add(name);
            }
        }
        return created;
    }

    private String carried(String prefix, String name, String oldPrefix, List<String> oldNames) {
        if (oldPrefix == null || oldNames == null || oldPrefix.equals(prefix)) {
            return NO_RELEASE;
        }
        String old = oldPrefix + name.substring(prefix.length());
        return oldNames.contains(old) ? parameters.read(old).orElse(NO_RELEASE) : NO_RELEASE;
    }

    static void check(String prefix, List<String> names) {
        if (prefix == null || !NAME.matcher(prefix).matches()) {
            throw new InvalidRequestException("Prefix", "must be a parameter path such as /pushdeploy/release, got " + prefix);
        }
        if (names == null || names.isEmpty() || names.size() > MAX_NAMES) {
            throw new InvalidRequestException("Names", "must list 1 to " + MAX_NAMES + " parameter names, got "
                    + (names == null ? "none" : names.size()));
        }
        for (String name : names) {
            if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
                throw new InvalidRequestException("Names", "not a parameter name: " + name);
            }
            if (!name.startsWith(prefix + "/")) {
                throw new InvalidRequestException("Names", name + " is not under the prefix " + prefix);
            }
        }
    }
}
