package dev.pushdeploy.handler;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SfnExecutions;
import dev.pushdeploy.adapter.aws.SfnReleaseRuns;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import dev.pushdeploy.adapter.aws.SnsOutcomeSink;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.ledger.Reconciler;
import dev.pushdeploy.ledger.ReleaseCloser;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.ledger.RunCloser;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.ledger.RunHistory;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.rollout.EcsServices;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reconcile: target of the EventBridge rules on the state machines' "Step Functions Execution Status
 * Change" events. Does for an ended deployment whatever Finalize did not (see {@link Reconciler}), and
 * for an ended release whatever its Record state did not (see {@link ReleaseCloser}). Then, the service's lock free,
 * wakes the runs that wait for their turn at it ({@link LockService#wakeWaiters}).
 */
public final class ReconcileHandler extends StepHandler<ReconcileHandler.ExecutionStatusEvent, Reconciler.Reconciled> {
    static final String SOURCE = "aws.states";
    static final String DETAIL_TYPE = "Step Functions Execution Status Change";

    /**
     * The event as EventBridge delivers it (only the fields used). {@code aws-lambda-java-events}' ScheduledEvent
     * would need Joda-Time and the Lambda runtime's serialiser for {@code time} and {@code detail-type}; this
     * record binds with the one JSON mapper.
     */
    public record ExecutionStatusEvent(String id, @JsonProperty("detail-type") String detailType, String source,
                                       String account, String region, List<String> resources, Detail detail) {
    }

    /** {@code detail} of the event: the execution as DescribeExecution would show it. */
    public record Detail(String executionArn, String stateMachineArn, String name, String status, Long startDate,
                         Long stopDate, String error, String cause) {
    }

    private final Reconciler reconciler;
    private final LockService locks;
    private final ReleaseCloser releases;
    private final String releaseStateMachineArn;
    private final Clock clock;

    /** Wired from the environment, as Lambda runs it. */
    public ReconcileHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public ReconcileHandler(Clock clock) {
        this(FinalizeHandler.Closers.fromEnvironment(clock), new SfnExecutions(Aws::sfn), new SdkEcsServices(Aws::ecs),
                new EcsTaskDefinitions(Aws::ecs),
                new LockService(new DynamoLedger(Aws.dynamoDb(), Env.require(Env.TABLE_NAME)), new SfnExecutions(Aws::sfn),
                        new SfnTaskTokens(Aws::sfn), clock),
                releaseCloser(clock), Env.require(Env.RELEASE_STATE_MACHINE_ARN),
                new Reconciler.StepTimeouts(Env.seconds(Env.ROTATE_SECRETS_TIMEOUT_SECONDS), Env.seconds(Env.START_DEPLOYMENT_TIMEOUT_SECONDS),
                        Env.seconds(Env.ROLLBACK_TIMEOUT_SECONDS)), clock);
    }

    /**
     * @param releases               what is done for an ended release
     * @param releaseStateMachineArn the release workflow's state machine: its ends go to {@code releases}, every other end to the reconciler
     */
    public ReconcileHandler(RunCloser closer, RunHistory history, EcsServices ecs, TaskDefinitions revisions, LockService locks,
            ReleaseCloser releases, String releaseStateMachineArn, Reconciler.StepTimeouts timeouts, Clock clock) {
        super(ExecutionStatusEvent.class, "Reconcile");
        this.locks = locks;
        this.clock = clock;
        this.releases = releases;
        this.releaseStateMachineArn = releaseStateMachineArn;
        this.reconciler = new Reconciler(history, closer,
                new DeploymentStarter(ecs, PrimingSample.orWhilePriming(closer::holds), revisions, clock), timeouts);
    }

    private static ReleaseCloser releaseCloser(Clock clock) {
        return new ReleaseCloser(new SfnReleaseRuns(Aws::sfn, Env.require(Env.DEPLOY_STATE_MACHINE_ARN)),
                new DynamoLedger(Aws.dynamoDb(), Env.require(Env.TABLE_NAME)), new SnsOutcomeSink(Aws.sns(), Env.require(Env.TOPIC_ARN)),
                clock);
    }

    /** The priming execution's end, stopped (Step Functions refuses its history; priming answers it). */
    @Override
    protected ExecutionStatusEvent primingInput(PrimingSample sample) {
        Detail detail = new Detail(PrimingSample.EXECUTION_ARN, null, PrimingSample.REQUEST_ID, "ABORTED",
                sample.request().startedAt(), sample.request().startedAt(), null, null);
        return new ExecutionStatusEvent(PrimingSample.REQUEST_ID, DETAIL_TYPE, SOURCE, null, null, List.of(PrimingSample.EXECUTION_ARN),
                detail);
    }

    @Override
    protected Reconciler.Reconciled handle(ExecutionStatusEvent event, StepLog log) {
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType()) || event.detail() == null
                || event.detail().executionArn() == null || event.detail().status() == null) {
            throw new InvalidRequestException("event", "is not a Step Functions Execution Status Change event with an execution and a status");
        }
        Detail detail = event.detail();
        Instant endedAt = detail.stopDate() != null ? Instant.ofEpochMilli(detail.stopDate()) : clock.instant();
        Reconciler.ExecutionEnd end = new Reconciler.ExecutionEnd(detail.executionArn(), detail.status(), detail.error(), detail.cause(), endedAt);
        if (releaseStateMachineArn.equals(detail.stateMachineArn())) {
            if (detail.name() == null || detail.name().isBlank()) {
                throw new InvalidRequestException("detail.name", "is missing: a release's end names its execution");
            }
            ReleaseCloser.Closed closed = releases.close(end, detail.name(), log);
            return new Reconciler.Reconciled(end.executionArn(), null,
                    closed.record().flatMap(r -> outcome(r.outcome())).orElse(null), closed.recorded(), closed.announced(),
                    "release " + detail.name() + ": " + closed.detail());
        }
        Reconciler.Reconciled reconciled = reconciler.reconcile(end, log);
        int woken = locks.wakeWaiters(reconciled.service());
        if (woken > 0) {
            log.info("the lock is free: waiters woken", "service", reconciled.service(), "woken", woken);
        }
        return reconciled;
    }

    /** A release record's outcome as the run outcomes name it; empty for one they do not have. */
    private static Optional<Outcome> outcome(String name) {
        return Arrays.stream(Outcome.values()).filter(o -> o.name().equals(name)).findFirst();
    }
}
