package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.request.ScanFindings;
import dev.pushdeploy.request.ScanGate;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.RequestScoped;
import java.time.Clock;

/** Scan gate: the ECR scan of the request's digest → {@code $.scan} (PASSED, PENDING, FAILED). Reads only. */
public final class ScanGateHandler extends StepHandler<ScanGateHandler.Input, ScanResult> {
    /** {@code $.request}. */
    public record Input(DeployRequest request) implements RequestScoped {
    }

    private final ScanGate gate;

    /** Wired from the environment, as Lambda runs it. */
    public ScanGateHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public ScanGateHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), clock);
    }

    private ScanGateHandler(String configParameter, Clock clock) {
        this(new SsmConfigSource(Aws::ssm, configParameter), new EcrRegistry(Aws::ecr), clock);
    }

    public ScanGateHandler(ConfigSource config, ScanFindings scans, Clock clock) {
        super(Input.class, "ScanGate");
        this.gate = new ScanGate(config, scans, clock);
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(sample.request());
    }

    @Override
    protected ScanResult handle(Input input, StepLog log) {
        ScanResult result = gate.check(input.request());
        log.info("scan gate", "status", result.status(), "reason", result.reason(), "findings", result.findingCounts());
        return result;
    }
}
