package dev.pushdeploy.model;

/**
 * Compares task definition references. ECS answers with full ARNs
 * ({@code arn:aws:ecs:<region>:<account>:task-definition/web:2}) while requests may carry
 * {@code family:revision}; both name the same revision.
 */
public final class Revisions {
    private Revisions() {
    }

    /** {@code family:revision} of an ARN or of a {@code family:revision} reference; null stays null. */
    public static String shortName(String taskDefinition) {
        if (taskDefinition == null) {
            return null;
        }
        int slash = taskDefinition.lastIndexOf('/');
        return slash < 0 ? taskDefinition : taskDefinition.substring(slash + 1);
    }

    /** The family of a task definition ARN or {@code family:revision}. */
    public static String family(String taskDefinition) {
        String name = shortName(taskDefinition);
        int colon = name.lastIndexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** The revision of a task definition ARN or {@code family:revision}; 0 when it names none. */
    public static int revision(String taskDefinition) {
        String name = shortName(taskDefinition);
        int colon = name.lastIndexOf(':');
        try {
            return colon < 0 ? 0 : Integer.parseInt(name.substring(colon + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether both references name the same revision (false when either is null). */
    public static boolean same(String a, String b) {
        return a != null && b != null && shortName(a).equals(shortName(b));
    }
}
