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
        return new DeployRequest(requestId, Action.DEPLOY, "ecr", "pushdeploy", "web", "app", "web", image,
                image == null || !image.contains("@") ? null : image.substring(image.indexOf('@') + 1), "v1.0.1",
                reason, 1_700_000_000_000L, previous, null, null, Decision.PROCEED, null, true, true, false, 600, 0);
    }

    /** A ROTATE: new secrets, same image. */
    public static DeployRequest rotate(String requestId, String previous) {
        return new DeployRequest(requestId, Action.ROTATE, "manual", "pushdeploy", "web", "app", "web", null, null, null,
                "scheduled rotation", null, previous, null, null, Decision.PROCEED, null, true, true, false, 600, 0);
    }

    /** A ROLLBACK: neither rotates nor registers. */
    public static DeployRequest rollback(String requestId, String previous) {
        return new DeployRequest(requestId, Action.ROLLBACK, "manual", "pushdeploy", "web", "app", "web", null, null, null,
                null, null, previous, null, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
                Decision.PROCEED, null, false, false, false, 600, 0);
    }
}
