package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.DynamoHookRecords;
import dev.pushdeploy.rollout.HookRecords;
import dev.pushdeploy.rollout.HookRecordsContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.rollout.RolloutFixtures.CallCounter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hook records' contract against the DynamoDB adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class DynamoHookRecordsIT extends HookRecordsContract {
    World world;

    @BeforeEach
    void createStack(Emulator emulator) {
        world = World.create(emulator);
    }

    @Override
    protected HookRecords subject() {
        return new DynamoHookRecords(world.dynamo, World.TABLE);
    }

    @Test
    void theShareIsRaisedOnlyByARecordThatRaisesIt(Emulator emulator) {
        CallCounter counter = new CallCounter();
        HookRecords records = new DynamoHookRecords(emulator.client(DynamoDbClient.builder()
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter))), World.TABLE);

        records.record(at("PRODUCTION_TRAFFIC_SHIFT", 10, "SUCCEEDED", null, 1000));
        assertEquals(1, counter.count("UpdateItem"), "the first record holds its share");
        records.record(at("PRODUCTION_TRAFFIC_SHIFT", 10, "SUCCEEDED", null, 2000));
        records.record(at("POST_PRODUCTION_TRAFFIC_SHIFT", 0, "SUCCEEDED", null, 3000));
        assertEquals(3, counter.count("UpdateItem"), "a share no higher than the record's sends no raise");
        records.record(at("PRODUCTION_TRAFFIC_SHIFT", 50, "SUCCEEDED", null, 4000));
        assertEquals(5, counter.count("UpdateItem"), "a higher one does");
        assertEquals(50, records.find(ARN).orElseThrow().productionPercent());
    }
}
