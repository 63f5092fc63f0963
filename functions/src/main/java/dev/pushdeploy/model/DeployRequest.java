package dev.pushdeploy.model;

import java.util.Map;

/**
 * The normalised request every step after Prepare works from ({@code $.request} in the
 * state machine). It carries identifiers only, never a secret value. Built by name:
 * {@link #builder()} or {@link #toBuilder()}.
 *
 * @param requestId              the execution name: stable across retries, stamped on what we create
 * @param source                 "ecr" for push events, "manual" for direct executions
 * @param image                  {@code <repositoryUri>@sha256:<hex>}; never a tag
 * @param pushedAt               epoch millis the image was pushed (or tagged by the push that started the run, if later);
 *                               the newest push wins the lock queue
 * @param previousTaskDefinition the live revision when the request was prepared: the rollback target
 * @param previousImage          the target container's image in that revision
 * @param targetTaskDefinition   for ROLLBACK: the revision to return to
 * @param rotate                 whether the rotate step runs (DEPLOY and ROTATE with managed secrets)
 * @param register               whether a new revision is registered (not for ROLLBACK)
 * @param scanGate               whether the scan gate runs (severity configured and action DEPLOY)
 * @param executionArn           the execution working on the request (its liveness and its history)
 * @param startedAt              epoch millis the execution started: fixes the history key, so Finalize and the
 *                               reconciler write the same record however often either runs
 * @param undoes                 for a ROLLBACK that undoes one earlier run (a release rolling back a service it
 *                               moved): the sort key of that run's history record, which this run completes
 *                               instead of writing its own; null otherwise
 * @param desiredCount           for the first release of a service (its live revision runs no released image): the
 *                               tasks StartDeployment asks for with the new revision; null: the service keeps its count
 * @param previousDesiredCount   for the first release: the service's count before it (0 on the stack's bootstrap
 *                               revision), which the way back restores with the previous revision; null otherwise
 * @param liveSlots              for a request that rotates: the slot ({@code a} or {@code b}) each managed secret has in
 *                               the container of {@code previousTaskDefinition}, by secret name (a secret it does not
 *                               reference is absent), as Prepare read it; names only. Null: not read (RotateSecrets
 *                               reads the revision itself)
 * @param configVersion          the version of the configuration document Prepare read: every later step reads that
 *                               version, so the run is judged and closed by the settings it started with (a stack update
 *                               during the run applies from the next one). Null: the current document (a request prepared
 *                               before versions were kept)
 * @param rollBackStoppedRuns    the configuration's setting when Prepare read it: whether the run, cut off with its own
 *                               revision on the service and never verified healthy, goes back (the reconciler's move, and
 *                               StartDeployment's undo of a move that lands late). Null (a request prepared before the
 *                               setting was kept here): the setting's default, on
 */
public record DeployRequest(
        String requestId,
        Action action,
        String source,
        String cluster,
        String service,
        String container,
        String repository,
        String image,
        String digest,
        String tag,
        String reason,
        Long pushedAt,
        String previousTaskDefinition,
        String previousImage,
        String targetTaskDefinition,
        Decision decision,
        String decisionReason,
        boolean rotate,
        boolean register,
        boolean scanGate,
        int deadlineSeconds,
        int bakeSeconds,
        String executionArn,
        Long startedAt,
        String undoes,
        Integer desiredCount,
        Integer previousDesiredCount,
        Map<String, String> liveSlots,
        Long configVersion,
        Boolean rollBackStoppedRuns) implements ServiceScoped {
    /** The {@code source} of a request an ECR push event made. */
    public static final String PUSH = "ecr";

    @Override
    public String serviceKey() {
        return cluster == null || service == null ? null : cluster + "/" + service;
    }

    /** Whether the run, cut off with its own revision on the service and never verified healthy, goes back. */
    public boolean rollsBackWhenCutOff() {
        return rollBackStoppedRuns == null || rollBackStoppedRuns;
    }

    /** Whether an ECR push event asked for it (a request made by hand, or by a release, did not). */
    public boolean fromPush() {
        return PUSH.equals(source);
    }

    /** An input that ends here: nothing proceeds, nothing was changed. */
    public static DeployRequest ended(String requestId, Decision decision, String reason) {
        return builder().requestId(requestId).decision(decision).decisionReason(reason).build();
    }

    /** An empty request: every reference null, every flag false, every duration 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this request's values. */
    public Builder toBuilder() {
        return new Builder()
                .requestId(requestId).action(action).source(source)
                .cluster(cluster).service(service).container(container).repository(repository)
                .image(image).digest(digest).tag(tag).reason(reason).pushedAt(pushedAt)
                .previousTaskDefinition(previousTaskDefinition).previousImage(previousImage)
                .targetTaskDefinition(targetTaskDefinition)
                .decision(decision).decisionReason(decisionReason)
                .rotate(rotate).register(register).scanGate(scanGate)
                .deadlineSeconds(deadlineSeconds).bakeSeconds(bakeSeconds)
                .executionArn(executionArn).startedAt(startedAt).undoes(undoes)
                .desiredCount(desiredCount).previousDesiredCount(previousDesiredCount)
                .liveSlots(liveSlots).configVersion(configVersion).rollBackStoppedRuns(rollBackStoppedRuns);
    }

    /** Sets the components of a {@link DeployRequest} by name. */
    public static final class Builder {
        private String requestId;
        private Action action;
        private String source;
        private String cluster;
        private String service;
        private String container;
        private String repository;
        private String image;
        private String digest;
        private String tag;
        private String reason;
        private Long pushedAt;
        private String previousTaskDefinition;
        private String previousImage;
        private String targetTaskDefinition;
        private Decision decision;
        private String decisionReason;
        private boolean rotate;
        private boolean register;
        private boolean scanGate;
        private int deadlineSeconds;
        private int bakeSeconds;
        private String executionArn;
        private Long startedAt;
        private String undoes;
        private Integer desiredCount;
        private Integer previousDesiredCount;
        private Map<String, String> liveSlots;
        private Long configVersion;
        private Boolean rollBackStoppedRuns;

        private Builder() {
        }

        public Builder requestId(String value) {
            requestId = value;
            return this;
        }

        public Builder action(Action value) {
            action = value;
            return this;
        }

        public Builder source(String value) {
            source = value;
            return this;
        }

        public Builder cluster(String value) {
            cluster = value;
            return this;
        }

        public Builder service(String value) {
            service = value;
            return this;
        }

        public Builder container(String value) {
            container = value;
            return this;
        }

        public Builder repository(String value) {
            repository = value;
            return this;
        }

        public Builder image(String value) {
            image = value;
            return this;
        }

        public Builder digest(String value) {
            digest = value;
            return this;
        }

        public Builder tag(String value) {
            tag = value;
            return this;
        }

        public Builder reason(String value) {
            reason = value;
            return this;
        }

        public Builder pushedAt(Long value) {
            pushedAt = value;
            return this;
        }

        public Builder previousTaskDefinition(String value) {
            previousTaskDefinition = value;
            return this;
        }

        public Builder previousImage(String value) {
            previousImage = value;
            return this;
        }

        public Builder targetTaskDefinition(String value) {
            targetTaskDefinition = value;
            return this;
        }

        public Builder decision(Decision value) {
            decision = value;
            return this;
        }

        public Builder decisionReason(String value) {
            decisionReason = value;
            return this;
        }

        public Builder rotate(boolean value) {
            rotate = value;
            return this;
        }

        public Builder register(boolean value) {
            register = value;
            return this;
        }

        public Builder scanGate(boolean value) {
            scanGate = value;
            return this;
        }

        public Builder deadlineSeconds(int value) {
            deadlineSeconds = value;
            return this;
        }

        public Builder bakeSeconds(int value) {
            bakeSeconds = value;
            return this;
        }

        public Builder executionArn(String value) {
            executionArn = value;
            return this;
        }

        public Builder startedAt(Long value) {
            startedAt = value;
            return this;
        }

        public Builder undoes(String value) {
            undoes = value;
            return this;
        }

        public Builder desiredCount(Integer value) {
            desiredCount = value;
            return this;
        }

        public Builder previousDesiredCount(Integer value) {
            previousDesiredCount = value;
            return this;
        }

        public Builder liveSlots(Map<String, String> value) {
            liveSlots = value;
            return this;
        }

        public Builder configVersion(Long value) {
            configVersion = value;
            return this;
        }

        public Builder rollBackStoppedRuns(Boolean value) {
            rollBackStoppedRuns = value;
            return this;
        }

        public DeployRequest build() {
            return new DeployRequest(requestId, action, source, cluster, service, container, repository, image, digest,
                    tag, reason, pushedAt, previousTaskDefinition, previousImage, targetTaskDefinition, decision,
                    decisionReason, rotate, register, scanGate, deadlineSeconds, bakeSeconds, executionArn, startedAt, undoes,
                    desiredCount, previousDesiredCount, liveSlots, configVersion, rollBackStoppedRuns);
        }
    }
}
