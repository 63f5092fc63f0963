package dev.pushdeploy.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.adapter.lambda.LambdaLogSink;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.ServiceScoped;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import org.crac.Core;
import org.crac.Resource;

/**
 * Common shape of every Lambda entry point: JSON in → typed input record → one domain call →
 * typed output record → JSON out. Exceptions propagate so that the Lambda error type is the
 * exception's class name, which the state machine's Retry/Catch clauses match.
 *
 * <p>With SnapStart, the handler primes JSON binding of its input type before the snapshot is
 * taken, so the first invocation after restore does not pay for it.
 */
public abstract class StepHandler<I, O> implements RequestStreamHandler, Resource {
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
        I input = read(in);
        StepLog log = context == null || context.getLogger() == null
                ? StepLog.to(JsonLogLines.to(System.out::println), step)
                : StepLog.to(LambdaLogSink.of(context.getLogger()), step).forRequest(context.getAwsRequestId());
        if (input instanceof ServiceScoped scoped && scoped.serviceKey() != null) {
            log = log.forService(scoped.serviceKey());
        }
        O output = handle(input, log);
        Json.write(out, output);
    }

    /** The step's input record; input that is not one is an invalid request (final, never retried). */
    private I read(InputStream in) {
        JsonNode tree;
        I input;
        try {
            tree = Json.tree(in);
            input = tree != null && tree.isObject() ? Json.convert(tree, inputType) : null;
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("input", e.getMessage());
        }
        if (input == null) {
            throw new InvalidRequestException("input", "expected a JSON object for " + step + ", got "
                    + (tree == null || tree.isMissingNode() ? "nothing" : tree.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        return input;
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Json.write(Json.convert(Json.tree("{}"), inputType));
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
