package dev.pushdeploy.handler;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Runs the sample events of Prepare, ScanGate, Lock and Finalize the way Lambda does: the file's
 * bytes through {@code handleRequest}, with handlers built by their public no-arg constructors
 * from the environment. {@link #environment(World)} sets that environment as system properties
 * (which {@link Env} and the SDK read): the emulator endpoint, region, dummy credentials, and the
 * template's variables pointing at World's resources.
 */
public final class RequestLedgerEvents {
    static final String RELEASE_PARAMETER_PREFIX = World.RELEASE_PARAMETER_PREFIX;
    static final String EVENT_BUS = "pushdeploy-outcomes";
    /** Digest of World's image v1.1.0 (moto derives digests from the manifest), as written in the events. */
    static final String V1_1_0 = "sha256:e04301bcebbbe14be48ffb1152944d586116ea8e769bda89a008a127f5edbdd7";
    /** Digest of World's live image v1.0.0, as written in the events. */
    static final String V1_0_0 = "sha256:753e5ca9f62b7d58747af5191e98bc6bc3999d09f49ff0bfc719b020c5fb81b3";

    private RequestLedgerEvents() {
    }

    static void environment(World world) {
        System.setProperty("aws.endpointUrl", world.emulator.endpoint().toString());
        System.setProperty("aws.region", Emulator.REGION);
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        System.setProperty(Env.CONFIG_PARAMETER, World.CONFIG_PARAMETER);
        System.setProperty(Env.TABLE_NAME, World.TABLE);
        System.setProperty(Env.TOPIC_ARN, world.topicArn);
        System.setProperty(Env.EVENT_BUS_NAME, EVENT_BUS);
    }

    /** The text of {@code events/<name>} (paths relative to the local module). */
    static String file(String name) {
        try {
            return Files.readString(Path.of("..", "events", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An execution started with a raw input file, as the state machine passes it to Prepare. */
    static String prepareInput(World world, String name, String executionName) {
        return execution(world, file(name), executionName);
    }

    /** An execution started with {@code input}, as the state machine passes it to Prepare. */
    public static String execution(World world, String input, String executionName) {
        String arn = world.startExecution(executionName, input);
        var description = world.sfn.describeExecution(r -> r.executionArn(arn));
        return Json.object().put("executionArn", arn).put("executionName", executionName)
                .put("startTime", description.startDate().toString()).toString();
    }

    static JsonNode invoke(RequestStreamHandler handler, String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Json.tree(out.toString(StandardCharsets.UTF_8));
    }

    /** Records {@code service:Operation} of every SDK call made through clients it is added to. */
    static final class CallRecorder implements ExecutionInterceptor {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            calls.add(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + ":"
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        }
    }
}
