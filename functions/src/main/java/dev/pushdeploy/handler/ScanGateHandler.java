package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoScanWatches;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.request.ScanFindings;
import dev.pushdeploy.request.ScanGate;
import dev.pushdeploy.request.ScanTokens;
import dev.pushdeploy.request.ScanWatcher;
import dev.pushdeploy.request.ScanWatches;
import java.time.Clock;

/**
 * Scan gate: the ECR scan of the request's digest → {@code $.scan} (PASSED, PENDING, FAILED, TIMED_OUT). With a
 * {@code taskToken}, WaitForScan's wait for the scan: the token is stored for the scan's event, and the workflow is
 * resumed at once if the answer is final already ({@link ScanWatcher}).
 */
public final class ScanGateHandler extends StepHandler<ScanGateHandler.Input, ScanResult> {
    /**
     * {@code $.request}, and for WaitForScan its task token, how many times Step Functions retried it ({@code retries},
     * {@code $$.State.RetryCount}) and when the workflow entered it ({@code waitingSince}, {@code $$.State.EnteredTime},
     * ISO 8601); each null for a plain check, and the last two for a wait that began before the payload said (taken as
     * no retries, a wait just begun).
     */
    public record Input(DeployRequest request, String taskToken, Integer retries, String waitingSince) implements RequestScoped {
    }

    private final ScanGate gate;
    private final ScanWatcher watcher;
    private final Clock clock;

    /** Wired from the environment, as Lambda runs it. */
    public ScanGateHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public ScanGateHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), Env.require(Env.TABLE_NAME), clock);
    }

    private ScanGateHandler(String configParameter, String table, Clock clock) {
        this(new SsmConfigSource(Aws::ssm, configParameter), new EcrRegistry(Aws::ecr),
                new DynamoScanWatches(Aws::dynamoDb, table), new SfnTaskTokens(Aws::sfn), clock);
    }

    public ScanGateHandler(ConfigSource config, ScanFindings scans, ScanWatches watches, ScanTokens tokens, Clock clock) {
        super(Input.class, "ScanGate");
        this.gate = new ScanGate(config, scans, clock);
        this.watcher = new ScanWatcher(gate, watches, tokens, clock);
        this.clock = clock;
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(sample.request(), null, null, null);
    }

    @Override
    protected ScanResult handle(Input input, StepLog log) {
        ScanResult result = input.taskToken() == null ? gate.firstCheck(input.request())
                : watcher.watch(input.taskToken(), input.request(), WaitPayload.retries(input.retries()),
                        WaitPayload.waitedMillis(input.waitingSince(), clock), log);
        log.info("scan gate", "status", result.status(), "reason", result.reason(), "findings", result.findingCounts());
        return result;
    }
}
