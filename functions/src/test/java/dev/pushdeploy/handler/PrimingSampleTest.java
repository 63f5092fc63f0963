package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.testing.SampleStack;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What priming's sample lets the steps that move the service do, and only while priming. */
class PrimingSampleTest {
    private final Target target = ConfigParser.parse(SampleStack.configDocument(null)).targets().get(0);

    @Test
    void onlyAThreadThatIsPrimingCountsAsTheLocksHolderAndTheLockIsReadFirst() {
        List<String> read = new ArrayList<>();
        DeploymentStarter.Ownership none = request -> read.add(request.requestId()) && false;
        DeploymentStarter.Ownership ownership = PrimingSample.orWhilePriming(none);
        PrimingSample sample = PrimingSample.of(target, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", Clock.systemUTC());

        assertFalse(ownership.holds(sample.request()), "outside priming the lock's answer stands");
        boolean[] whilePriming = {false};
        Priming.dryRun(() -> whilePriming[0] = ownership.holds(sample.request()));
        assertTrue(whilePriming[0]);
        assertFalse(ownership.holds(sample.request()), "and again once priming is over");
        assertEquals(List.of(PrimingSample.REQUEST_ID, PrimingSample.REQUEST_ID, PrimingSample.REQUEST_ID), read, "the lock is read every time");
    }

    @Test
    void theOtherRevisionIsTheLiveFamilysNextNumber() {
        assertEquals("web:8", PrimingSample.of(target, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", Clock.systemUTC())
                .otherRevision());
        assertNull(PrimingSample.of(target, null, Clock.systemUTC()).otherRevision());
    }
}
