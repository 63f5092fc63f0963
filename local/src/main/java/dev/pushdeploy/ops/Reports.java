package dev.pushdeploy.ops;

import java.util.List;

/** What the operator commands report: plain records, printed for people or as JSON ({@code --json}). */
public final class Reports {
    private Reports() {
    }

    /**
     * {@code status}: what is live, how the service runs, what is in flight and what happened last.
     *
     * @param live    null when the service does not exist
     * @param service {@code cluster/service}
     */
    public record Status(String stack, String service, Live live, Health health, List<Run> running, Holder lock,
                         List<Holder> queue, List<Entry> recent) {
    }

    /**
     * The live revision of the service's container.
     *
     * @param taskDefinition the service's task definition ARN (its PRIMARY deployment's)
     * @param revision       {@code family:revision}
     * @param tags           the image's tags in the repository but the pipeline's keep tags (empty when untagged or not in ECR)
     * @param released       false while the service has no release yet: its revision runs no image pinned by digest
     *                       (the stack's bootstrap revision, before the first push of a matching tag)
     * @param imageStatus    the image in the service's repository: ECR's imageStatus (ACTIVE; ARCHIVED or ACTIVATING:
     *                       no new task of it can start), or {@value #IMAGE_GONE} (deleted, or expired by the repository's
     *                       lifecycle policy); null when not asked (another registry's image)
     * @param kept           whether the image carries the live revision's keep tag, which the repository's lifecycle policy
     *                       never expires (it is put at the end of a run the revision is live at); null when not asked
     * @param revisionStatus the revision's status as ECS answers it: ACTIVE; INACTIVE (deregistered) or DELETE_IN_PROGRESS
     *                       (deleted, gone once the service leaves it), to which ECS moves no service back
     */
    public record Live(String taskDefinition, String revision, String image, String digest, List<String> tags,
                       List<SecretSlot> secrets, String release, boolean released, String copyOf, String imageStatus, Boolean kept,
                       String revisionStatus) {
        public static final String IMAGE_GONE = "NOT_IN_ECR";

        /** A revision that runs a release, ACTIVE, its image ACTIVE in ECR and kept. */
        public Live(String taskDefinition, String revision, String image, String digest, List<String> tags,
                    List<SecretSlot> secrets, String release) {
            this(taskDefinition, revision, image, digest, tags, secrets, release, true, null, "ACTIVE", true, "ACTIVE");
        }
    }

    /**
     * One managed secret as the live revision references it.
     *
     * @param slot     {@code a} or {@code b}; null when the revision references neither slot
     * @param username for postgres secrets, the login role the revision passes
     */
    public record SecretSlot(String name, String slot, String parameter, String username) {
    }

    /**
     * How the service runs: its PRIMARY deployment and the load balancer's view of the tasks.
     *
     * @param strategy      how ECS deploys the service: ROLLING, BLUE_GREEN, CANARY or LINEAR
     * @param rolloutState  IN_PROGRESS, COMPLETED or FAILED
     * @param deployments   how many deployments the service has (more than one: a rollout is under way)
     * @param healthyTargets null when the service has no load balancer target group
     */
    public record Health(String strategy, String rolloutState, String rolloutReason, int running, int desired, int pending, int failedTasks,
                         int deployments, Integer healthyTargets, Integer targets) {
    }

    /** An execution in flight: its name and ARN, the state it is in, since when. */
    public record Run(String execution, String name, String state, String startedAt, double seconds) {
    }

    /**
     * The lock holder or a queued request.
     *
     * @param expiresAt ISO time the lease (or the waiter) lapses
     * @param kept      the holder's run has ended: the lock is kept until {@code expiresAt}, when a step of it that
     *                  may still run has surely ended (always false for a queued request)
     */
    public record Holder(String request, String action, String image, String since, String expiresAt, boolean expired,
                         boolean kept) {
    }

    /**
     * One deployment record.
     *
     * @param revision the revision live when the request finished ({@code family:revision})
     * @param seconds  how long the execution ran; null when it can no longer be described
     * @param strategy the deployment strategy of the rollout (ROLLING, BLUE_GREEN, CANARY, LINEAR); null when the
     *                 run checked no rollout
     * @param stage    how far the rollout got: the ECS lifecycle stage, or a rolling deployment's rolloutState
     * @param maxProductionPercent the highest share of production traffic the new revision reached; null with no rollout
     */
    public record Entry(String finishedAt, String outcome, String action, String source, String image, String tag,
                        String digest, String revision, String previousRevision, Double seconds, String reason,
                        String execution, String strategy, String stage, Double maxProductionPercent) {
        /** The same entry with the image's tag. */
        public Entry withTag(String value) {
            return new Entry(finishedAt, outcome, action, source, image, value, digest, revision, previousRevision, seconds, reason,
                    execution, strategy, stage, maxProductionPercent);
        }
    }

    /**
     * {@code diff} / {@code deploy --dry-run}: the revision the pipeline would register, against the live one.
     *
     * @param decision what Prepare decides for this image now: PROCEED, IGNORED or REJECTED (then no revision)
     * @param next     the revision the registration would create ({@code family:revision})
     * @param changes  what differs, field by field; empty when nothing would be registered
     */
    public record Diff(String service, String image, String decision, String reason, String live, String next,
                       List<Change> changes, int unchanged) {
    }

    /**
     * One field of the revision: {@code image}, {@code secret NAME}, {@code environment NAME}, {@code tag KEY}, ...
     *
     * @param live null when the live revision has no such field
     * @param next null when the new revision drops it
     */
    public record Change(String field, String live, String next) {
    }
}
