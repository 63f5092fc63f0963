package dev.pushdeploy.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.handler.StartDeploymentHandler;
import dev.pushdeploy.testing.World;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The floor ({@link OneSdkCallHandler}) with one piece of a step's first invocation added, so that the cold-start
 * benchmark can price each piece against the floor in the same run: binding JSON as the steps do, or calling one
 * more service as they do, in the case that StartDeployment's sample event stages (the sample stack's service, its lock
 * held). Only the JSON piece binds the event; the others name the service by the stack's constants, so that they
 * price a service call alone.
 */
abstract class OneSdkCallHandlerPlus implements RequestStreamHandler {
    private final String parameter = Env.require(Env.CONFIG_PARAMETER);
    private final boolean readsConfiguration;

    OneSdkCallHandlerPlus(boolean readsConfiguration) {
        this.readsConfiguration = readsConfiguration;
    }

    /** What the piece adds; answers a number written back as the floor writes its own. */
    abstract long piece(byte[] event);

    @Override
    public final void handleRequest(InputStream in, OutputStream out, Context context) {
        try {
            byte[] event = in.readAllBytes();
            long length = readsConfiguration ? Aws.ssm().getParameter(r -> r.name(parameter)).parameter().value().length() : 0;
            out.write(("{\"length\":" + (length + piece(event)) + "}").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static software.amazon.awssdk.services.ecs.model.Service describe() {
        return Aws.ecs().describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE)).services().get(0);
    }

    static long lockItems() {
        return Aws.dynamoDb().getItem(r -> r.tableName(Env.require(Env.TABLE_NAME)).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("svc#" + World.CLUSTER + "/" + World.SERVICE), "sk", AttributeValue.fromS("lock"))))
                .item().size();
    }

    /** Reads the event into StartDeployment's input record and writes that record back, as every step binds JSON. */
    public static final class JsonBinding extends OneSdkCallHandlerPlus {
        public JsonBinding() {
            super(true);
        }

        @Override
        long piece(byte[] event) {
            return Json.write(Json.readObject(event, StartDeploymentHandler.Input.class, "StartDeployment")).length();
        }
    }

    /** DescribeServices after the floor's call, as the steps that read the service do. */
    public static final class EcsRead extends OneSdkCallHandlerPlus {
        public EcsRead() {
            super(true);
        }

        @Override
        long piece(byte[] event) {
            return describe().desiredCount();
        }
    }

    /** DescribeServices instead of the floor's call: one SDK call, to ECS. */
    public static final class EcsReadAlone extends OneSdkCallHandlerPlus {
        public EcsReadAlone() {
            super(false);
        }

        @Override
        long piece(byte[] event) {
            return describe().desiredCount();
        }
    }

    /** DescribeServices and UpdateService (onto the revision it runs) after the floor's call, as StartDeployment moves a service. */
    public static final class EcsMove extends OneSdkCallHandlerPlus {
        public EcsMove() {
            super(true);
        }

        @Override
        long piece(byte[] event) {
            String live = describe().taskDefinition();
            return Aws.ecs().updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(live))
                    .service().desiredCount();
        }
    }

    /** A strongly consistent GetItem of the service's lock after the floor's call, as the steps that check the lock do. */
    public static final class LockRead extends OneSdkCallHandlerPlus {
        public LockRead() {
            super(true);
        }

        @Override
        long piece(byte[] event) {
            return lockItems();
        }
    }

    /** DescribeServices and the lock's GetItem after the floor's call: the reads of StartDeployment and Rollback. */
    public static final class EcsReadLockRead extends OneSdkCallHandlerPlus {
        public EcsReadLockRead() {
            super(true);
        }

        @Override
        long piece(byte[] event) {
            return describe().desiredCount() + lockItems();
        }
    }
}
