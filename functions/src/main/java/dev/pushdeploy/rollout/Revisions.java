package dev.pushdeploy.rollout;

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

    /** Whether both references name the same revision (false when either is null). */
    public static boolean same(String a, String b) {
        return a != null && b != null && shortName(a).equals(shortName(b));
    }
}
