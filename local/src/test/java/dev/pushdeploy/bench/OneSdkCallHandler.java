package dev.pushdeploy.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.handler.Env;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.crac.Core;
import software.amazon.awssdk.services.ssm.SsmClient;
import org.crac.Resource;

/**
 * The cold-start floor: a handler with the functions' wiring (the shared SDK client of
 * {@link Aws}, region and endpoint from the environment, built when the handler is, as the functions build the
 * clients every invocation calls) that makes one SDK call, reading the configuration parameter.
 * Its priming makes that call (a read).
 */
public final class OneSdkCallHandler implements RequestStreamHandler, Resource {
    private final String parameter = Env.require(Env.CONFIG_PARAMETER);
    private final SsmClient ssm = Aws.ssm();

    public OneSdkCallHandler() {
        Core.getGlobalContext().register(this);
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
            String value = ssm.getParameter(r -> r.name(parameter)).parameter().value();
            out.write(("{\"length\":" + value.length() + "}").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        handleRequest(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream(), null);
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing to refresh
    }
}
