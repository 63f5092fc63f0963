package dev.pushdeploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.testing.SampleStack;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EcsServices} does, the fake as the SDK adapter ({@code FakeEcsServicesTest}
 * here, {@code SdkEcsServicesIT} on the emulator). The emulator tracks no deployments, so the
 * cases are about the service's task definition.
 */
public abstract class EcsServicesContract {
    protected static final String CLUSTER = SampleStack.CLUSTER;
    protected static final String SERVICE = SampleStack.SERVICE;

    /** The port, with service {@link #CLUSTER}/{@link #SERVICE} running the revision {@link #live()} names. */
    protected abstract EcsServices subject();

    protected abstract String live();

    /** Another ACTIVE revision of the service's family. */
    protected abstract String other();

    @Test
    void describesTheServiceItRuns() {
        ServiceState state = subject().describe(CLUSTER, SERVICE).orElseThrow();

        assertTrue(state.isOn(live()), state.taskDefinition());
    }

    @Test
    void aServiceOrClusterThatDoesNotExistIsEmpty() {
        assertTrue(subject().describe(CLUSTER, "nope").isEmpty());
        assertTrue(subject().describe("nope", SERVICE).isEmpty());
    }

    @Test
    void anUpdateMovesTheServiceToTheRevision() {
        ServiceState answered = subject().update(CLUSTER, SERVICE, other());

        assertTrue(answered.isOn(other()), answered.taskDefinition());
        assertTrue(subject().describe(CLUSTER, SERVICE).orElseThrow().isOn(other()));
    }

    @Test
    void anUpdateWithACountSetsItAndOneWithoutKeepsIt() {
        ServiceState answered = subject().update(CLUSTER, SERVICE, other(), 3);

        assertEquals(3, answered.desiredCount());
        assertEquals(3, subject().describe(CLUSTER, SERVICE).orElseThrow().desiredCount());
        subject().update(CLUSTER, SERVICE, live());
        assertEquals(3, subject().describe(CLUSTER, SERVICE).orElseThrow().desiredCount());
        subject().update(CLUSTER, SERVICE, live(), 0);
        ServiceState none = subject().describe(CLUSTER, SERVICE).orElseThrow();
        assertEquals(0, none.desiredCount());
        assertTrue(none.isOn(live()), none.taskDefinition());
    }

    @Test
    void updatingAServiceThatDoesNotExistFails() {
        assertThrows(AwsFailureException.class, () -> subject().update(CLUSTER, "nope", other()));
    }
}
