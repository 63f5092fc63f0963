package dev.pushdeploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Rollout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RolloutWatches} does, the in-memory fake as the DynamoDB adapter ({@code InMemoryRolloutWatchesTest}
 * here, {@code DynamoRolloutWatchesIT} on the emulator): one watch per service, removed only by its own token; a run's
 * resumes by events counted up to a bound, each run of the service on its own.
 */
public abstract class RolloutWatchesContract {
    private static final long EXPIRES_AT = 4_000_000_000L;

    protected abstract RolloutWatches subject();

    private static final DeployRequest REQUEST = RolloutFixtures.request(RolloutFixtures.REV1_ARN, 600);
    private static final Rollout ROLLOUT = Snapshots.rollout(Snapshots.OURS, Snapshots.REV2);

    private static Watch watch(String token, DeployRequest request, int retries) {
        return new Watch(token, request, ROLLOUT, null, EXPIRES_AT, retries);
    }

    @Test
    void aWatchIsFoundAsRegisteredAndReplacedByTheNext() {
        RolloutWatches watches = subject();
        assertTrue(watches.find("pushdeploy", "web").isEmpty());
        watches.register(watch("t1", REQUEST, 0));
        watches.register(watch("t2", REQUEST, 3));

        Watch found = watches.find("pushdeploy", "web").orElseThrow();
        assertEquals(List.of("t2", 3, EXPIRES_AT, REQUEST.requestId(), ROLLOUT),
                List.of(found.token(), found.retries(), found.expiresAt(), found.request().requestId(), found.rollout()));
    }

    @Test
    void onlyItsOwnTokenRemovesAWatch() {
        RolloutWatches watches = subject();
        watches.register(watch("t2", REQUEST, 0));
        watches.remove("pushdeploy", "web", "t1");
        assertEquals("t2", watches.find("pushdeploy", "web").orElseThrow().token());
        watches.remove("pushdeploy", "web", "t2");
        assertTrue(watches.find("pushdeploy", "web").isEmpty());
    }

    @Test
    void aRunsResumesAreCountedUpToTheBoundEachRunOnItsOwn() {
        RolloutWatches watches = subject();
        List<Boolean> counted = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            counted.add(watches.countResume(watch("t" + i, REQUEST, 0), 3));
        }
        assertEquals(List.of(true, true, true, false), counted);
        assertFalse(watches.countResume(watch("t5", REQUEST, 0), 3), "still spent");
        assertTrue(watches.countResume(watch("n1", REQUEST.toBuilder().requestId("exec-0002").build(), 0), 3), "another run");
        assertTrue(watches.countResume(watch("t6", REQUEST, 0), 4), "a higher bound counts on");
        assertTrue(watches.find("pushdeploy", "web").isEmpty(), "counting registers no watch");
    }
}
