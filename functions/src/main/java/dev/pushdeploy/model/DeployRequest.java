package dev.pushdeploy.model;

/**
 * The normalised request every step after Prepare works from ({@code $.request} in the
 * state machine). It carries identifiers only, never a secret value.
 *
 * @param requestId              the execution name: stable across retries, stamped on what we create
 * @param source                 "ecr" for push events, "manual" for direct executions
 * @param image                  {@code <repositoryUri>@sha256:<hex>}; never a tag
 * @param pushedAt               epoch millis the image was pushed; the newest push wins the lock queue
 * @param previousTaskDefinition the live revision when the request was prepared: the rollback target
 * @param previousImage          the target container's image in that revision
 * @param targetTaskDefinition   for ROLLBACK: the revision to return to
 * @param rotate                 whether the rotate step runs (DEPLOY and ROTATE with managed secrets)
 * @param register               whether a new revision is registered (not for ROLLBACK)
 * @param scanGate               whether the scan gate runs (severity configured and action DEPLOY)
 * @param preparedAt             epoch millis Prepare ran: fixes the history key, so Finalize is idempotent
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
        Long preparedAt) implements ServiceScoped {

    /** The shape before {@code preparedAt} existed (hand-written fixtures); preparedAt stays null. */
    public DeployRequest(String requestId, Action action, String source, String cluster, String service,
            String container, String repository, String image, String digest, String tag, String reason,
            Long pushedAt, String previousTaskDefinition, String previousImage, String targetTaskDefinition,
            Decision decision, String decisionReason, boolean rotate, boolean register, boolean scanGate,
            int deadlineSeconds, int bakeSeconds) {
        this(requestId, action, source, cluster, service, container, repository, image, digest, tag, reason,
                pushedAt, previousTaskDefinition, previousImage, targetTaskDefinition, decision, decisionReason,
                rotate, register, scanGate, deadlineSeconds, bakeSeconds, null);
    }

    @Override
    public String serviceKey() {
        return cluster == null || service == null ? null : cluster + "/" + service;
    }

    /** An input that ends here: nothing proceeds, nothing was changed. */
    public static DeployRequest ended(String requestId, Decision decision, String reason) {
        return new DeployRequest(requestId, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, decision, reason, false, false, false, 0, 0, null);
    }
}
