package dev.pushdeploy.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.CallDeadline;
import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.adapter.lambda.LambdaLogSink;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.ServiceScoped;
import dev.pushdeploy.rollout.ServiceState;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * Common shape of every Lambda entry point: JSON in → typed input record → one domain call →
 * typed output record → JSON out. Exceptions propagate so that the Lambda error type is the
 * exception's class name, which the state machine's Retry/Catch clauses match.
 *
 * <p>The AWS calls of an invocation end {@link #ANSWER_MARGIN} before the function's timeout ({@link CallDeadline}):
 * one that cannot complete by then fails as a transient error, which the state machine retries, instead of
 * the invocation timing out, which it would take for a failure.
 *
 * <p>With SnapStart, the handler runs its first request before the snapshot is taken
 * ({@link #beforeCheckpoint}), so the first invocation after a restore finds its classes
 * loaded and its clients, credentials and connections ready.
 */
public abstract class StepHandler<I, O> implements RequestStreamHandler, Resource {
    /** The time an invocation keeps after its last AWS call to fail or answer. */
    static final Duration ANSWER_MARGIN = Duration.ofSeconds(3);

    private final Class<I> inputType;
    private final String step;

    protected StepHandler(Class<I> inputType, String step) {
        this.inputType = inputType;
        this.step = step;
        Core.getGlobalContext().register(this);
    }

    protected abstract O handle(I input, StepLog log);

    @Override
    public final void handleRequest(InputStream in, OutputStream out, Context context) {
        StepLog log = context == null || context.getLogger() == null
                ? StepLog.to(JsonLogLines.to(System.out::println), step)
                : StepLog.to(LambdaLogSink.of(context.getLogger()), step).forRequest(context.getAwsRequestId());
        if (context == null) {
            run(in, out, log);
            return;
        }
        CallDeadline.within(Duration.ofMillis(context.getRemainingTimeInMillis()).minus(ANSWER_MARGIN), () -> {
            run(in, out, log);
            return null;
        });
    }

    private void run(InputStream in, OutputStream out, StepLog requestLog) {
        I input = read(in);
        StepLog log = requestLog;
        if (input instanceof ServiceScoped scoped && scoped.serviceKey() != null) {
            log = log.forService(scoped.serviceKey());
        }
        O output = handle(input, log);
        Json.write(out, output);
    }

    /** The step's input record; input that is not one is an invalid request (final, never retried). */
    private I read(InputStream in) {
        byte[] document;
        try {
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Json.readObject(document, inputType, step);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("input", e.getMessage());
        }
    }

    /**
     * SnapStart priming: this function's first request, made before the snapshot with no side
     * effect. The input is {@link #primingInput} for the first configured service; the request
     * runs the whole path (JSON in, the domain, the SDK clients, JSON out, the log lines, which
     * are dropped) in {@link Priming#dryRun}, where reads reach AWS and nothing else leaves the
     * process, but the reads of what exists only while priming, which {@link PrimingSample#standIn} answers.
     * Priming never fails the snapshot: what it could not reach is loaded on the first
     * invocation instead, and one line says how far it got.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        long start = System.nanoTime();
        String[] ended = {"answered"};
        Priming.Counts counts = Priming.dryRun(() -> {
            try {
                String configParameter = Env.require(Env.CONFIG_PARAMETER);
                PipelineConfig config = new SsmConfigSource(Aws::ssm, configParameter).load();
                String live = primingLive(config.targets().get(0));
                PrimingSample sample = PrimingSample.of(config, live, Clock.systemUTC());
                I input = primingInput(sample);
                byte[] request = Json.write(input == null ? Map.of() : input).getBytes(StandardCharsets.UTF_8);
                sample.prime(() -> run(new ByteArrayInputStream(request), OutputStream.nullOutputStream(),
                        StepLog.to(JsonLogLines.to(line -> { }), step)));
            } catch (RuntimeException e) {
                StackTraceElement[] at = e.getStackTrace();
                ended[0] = "stopped at " + e.getClass().getSimpleName()
                        + (at.length == 0 ? "" : " (" + at[0].getFileName() + ":" + at[0].getLineNumber() + ")");
            }
        }, PrimingSample::standIn);
        StepLog.to(JsonLogLines.to(System.out::println), step).info("primed", "request", ended[0], "reads", counts.sent(),
                "answeredInProcess", counts.answered(), "ms", (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The service's live revision, for the priming sample; null when it has none or this function may not read it
     * (its role has no ecs:DescribeServices).
     */
    protected String primingLive(Target target) {
        try {
            return new SdkEcsServices(Aws::ecs).describe(target.cluster(), target.service()).map(ServiceState::taskDefinition).orElse(null);
        } catch (AwsFailureException e) {
            return null;
        }
    }

    /**
     * The input of this function's priming request, made of {@code sample}; null primes the
     * JSON binding of the input type alone.
     */
    protected I primingInput(PrimingSample sample) {
        return null;
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing to refresh: clients resolve credentials per request
    }

    /** For tests and the local runtime: the same path as Lambda, without the stream plumbing. */
    public final O apply(I input, StepLog log) {
        return handle(input, log);
    }
}
