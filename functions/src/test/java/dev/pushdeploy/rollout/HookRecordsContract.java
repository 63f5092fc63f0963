package dev.pushdeploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.rollout.HookRecords.HookRecord;
import org.junit.jupiter.api.Test;

/**
 * What every {@link HookRecords} does, the in-memory fake as the DynamoDB adapter
 * ({@code InMemoryHookRecordsTest} here, {@code DynamoHookRecordsIT} on the emulator): the last
 * stage and answer win, the highest share and the first failure stay.
 */
public abstract class HookRecordsContract {
    protected static final String ARN = "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/abc";

    protected abstract HookRecords subject();

    protected static HookRecord at(String stage, double percent, String status, String failure, long at) {
        return new HookRecord(ARN, "pushdeploy/web", stage, percent, status, failure, at);
    }

    @Test
    void nothingIsKnownOfADeploymentTheHookNeverSaw() {
        assertTrue(subject().find(ARN).isEmpty());
    }

    @Test
    void theLastStageAndAnswerWinTheHighestShareStays() {
        HookRecords records = subject();
        records.record(at("PRODUCTION_TRAFFIC_SHIFT", 5, "SUCCEEDED", null, 1000));
        records.record(at("PRODUCTION_TRAFFIC_SHIFT", 100, "SUCCEEDED", null, 2000));
        records.record(at("POST_PRODUCTION_TRAFFIC_SHIFT", 0, "IN_PROGRESS", null, 3000));

        HookRecord read = records.find(ARN).orElseThrow();
        assertEquals(at("POST_PRODUCTION_TRAFFIC_SHIFT", 100, "IN_PROGRESS", null, 3000), read);
    }

    @Test
    void theFirstFailureIsKept() {
        HookRecords records = subject();
        records.record(at("POST_TEST_TRAFFIC_SHIFT", 0, "FAILED", "smoke check failed 3 times", 1000));
        records.record(at("POST_TEST_TRAFFIC_SHIFT", 0, "FAILED", "another reason", 2000));

        assertEquals("smoke check failed 3 times", records.find(ARN).orElseThrow().failure());
    }
}
