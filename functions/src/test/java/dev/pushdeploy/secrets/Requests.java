package dev.pushdeploy.secrets;

import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;

/** DeployRequests as Prepare would produce them for the sample stack's service, for tests. */
public final class Requests {
    public static final String REPOSITORY_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web";
    public static final String DIGEST = "sha256:" + "ab".repeat(32);
    public static final String IMAGE = REPOSITORY_URI + "@" + DIGEST;

    private Requests() {
    }

    /** A DEPLOY of {@link #IMAGE} to pushdeploy/web whose live revision is {@code previous}. */
    public static DeployRequest deploy(String requestId, String previous) {
        return deploy(requestId, previous, IMAGE, "push of v1.0.1");
    }

    public static DeployRequest deploy(String requestId, String previous, String image, String reason) {
        return proceeding(requestId, Action.DEPLOY, "ecr", previous)
                .image(image)
                .digest(image == null || !image.contains("@") ? null : image.substring(image.indexOf('@') + 1))
                .tag("v1.0.1").reason(reason).pushedAt(1_700_000_000_000L)
                .rotate(true).register(true)
                .build();
    }

    /** A ROTATE: new secrets, same image. */
    public static DeployRequest rotate(String requestId, String previous) {
        return proceeding(requestId, Action.ROTATE, "manual", previous)
                .reason("scheduled rotation").rotate(true).register(true)
                .build();
    }

    /** A ROLLBACK: neither rotates nor registers. */
    public static DeployRequest rollback(String requestId, String previous) {
        return proceeding(requestId, Action.ROLLBACK, "manual", previous)
                .targetTaskDefinition("arn:aws:ecs:us-east-1:123456789012:task-definition/web:1")
                .build();
    }

    private static DeployRequest.Builder proceeding(String requestId, Action action, String source, String previous) {
        return DeployRequest.builder()
                .requestId(requestId).action(action).source(source)
                .cluster("pushdeploy").service("web").container("app").repository("web")
                .previousTaskDefinition(previous).decision(Decision.PROCEED).deadlineSeconds(600);
    }
}
