package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.adapter.json.InputParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.request.ExecutionIntents;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.Pipeline;
import dev.pushdeploy.rollout.DeploymentStarter;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state a function's priming request is made of (see {@link StepHandler#beforeCheckpoint}):
 * a deploy of the first configured service from its live revision to itself, with the pieces
 * each step reads. Identifiers are real where a read can use them (the service, its live
 * revision); the request and the image are the priming's own, and its secrets have no live slot.
 *
 * @param live the service's live revision, null when it has none (or ECS could not be read)
 */
public record PrimingSample(Target target, String live, DeployRequest request, Rollout rollout, Release release,
                            CheckResult check, RotationResult secrets) {
    static final String REQUEST_ID = "snapstart-priming";
    static final String TOKEN = "snapstart-priming-token";
    static final String EXECUTION_ARN = "arn:aws:states:us-east-1:000000000000:execution:pushdeploy:" + REQUEST_ID;
    static final int DEADLINE_SECONDS = 900;
    static final String DIGEST = "sha256:" + "0".repeat(64);

    static PrimingSample of(Target target, String live, Clock clock) {
        long now = clock.millis();
        String image = target.repository() + "@" + DIGEST;
        DeployRequest request = DeployRequest.builder()
                .requestId(REQUEST_ID).action(Action.DEPLOY).source("manual")
                .cluster(target.cluster()).service(target.service()).container(target.container())
                .repository(target.repository()).image(image).digest(DIGEST)
                .reason("SnapStart priming").pushedAt(now)
                .previousTaskDefinition(live).liveSlots(target.secrets().isEmpty() ? null : Map.of())
                .decision(Decision.PROCEED).rotate(!target.secrets().isEmpty()).register(true)
                .deadlineSeconds(DEADLINE_SECONDS).executionArn(EXECUTION_ARN).startedAt(now)
                .build();
        Rollout rollout = new Rollout(null, live, now, now + DEADLINE_SECONDS * 1000L, true, null);
        Release release = new Release(live, target.service(), 0, image, false);
        CheckResult check = new CheckResult(Verdict.FAILED, "SnapStart priming", 0, 0, 0, 0);
        return new PrimingSample(target, live, request, rollout, release, check, new RotationResult(null));
    }

    /**
     * A revision of the live one's family that is not live (the next number), for the steps that move the
     * service: priming moves it there, and priming answers that move in process. Null without a live revision.
     */
    String otherRevision() {
        return live == null ? null : Revisions.family(live) + ":" + (Revisions.revision(live) + 1);
    }

    /**
     * {@code ownership}, except that on a thread that is priming (never otherwise) the request counts as the
     * lock's holder once the lock was read: a step that moves the service only while it holds the lock then
     * walks on to its move, which priming answers in process.
     */
    static DeploymentStarter.Ownership orWhilePriming(DeploymentStarter.Ownership ownership) {
        return request -> ownership.holds(request) || Priming.active();
    }

    /** The priming execution's input: a manual deploy of the sample image to {@code target}. */
    static String input(Target target) {
        return "{\"action\":\"deploy\",\"image\":\"" + target.repository() + "@" + DIGEST + "\",\"reason\":\"SnapStart priming\"}";
    }

    /**
     * {@code intents}, except that on a priming thread the priming execution, which Step Functions refuses or does
     * not know (it is none of the stack's), asks for what {@link #input} writes for the first configured service:
     * Prepare then walks the way a deploy takes to its answer.
     */
    static ExecutionIntents orWhilePriming(ExecutionIntents intents, ConfigSource config) {
        return executionArn -> {
            try {
                return intents.intent(executionArn);
            } catch (AwsFailureException e) {
                if (!Priming.active() || !EXECUTION_ARN.equals(executionArn)) {
                    throw e;
                }
                return InputParser.intent(input(config.load().targets().get(0)), Pipeline.ofExecution(executionArn));
            }
        };
    }

    /** {@code registry}, except that on a priming thread the sample image, which no repository holds, is found. */
    static ImageRegistry orWhilePriming(ImageRegistry registry) {
        return new ImageRegistry() {
            @Override
            public Optional<String> repositoryUri(String repository) {
                return registry.repositoryUri(repository);
            }

            @Override
            public Optional<Image> image(String repository, String reference) {
                Optional<Image> image = registry.image(repository, reference);
                return image.isEmpty() && DIGEST.equals(reference) && Priming.active()
                        ? Optional.of(new Image(DIGEST, List.of(), Instant.now())) : image;
            }
        };
    }
}
