package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReleaseParameters} does, the in-memory fake as the SSM adapter
 * ({@code InMemoryReleaseParametersTest} here, {@code SsmReleaseParametersIT} on the emulator).
 */
public abstract class ReleaseParametersContract {
    static final String IMAGE = "/pushdeploy/release/pushdeploy/web/image";

    protected abstract ReleaseParameters subject();

    @Test
    void aMissingParameterReadsEmpty() {
        assertEquals(Optional.empty(), subject().read(IMAGE));
    }

    @Test
    void writeCreatesAndOverwrites() {
        subject().write(IMAGE, "none");
        subject().write(IMAGE, "repo@sha256:ab");
        assertEquals(Optional.of("repo@sha256:ab"), subject().read(IMAGE));
    }

    @Test
    void createIfAbsentNeverReplacesAValue() {
        assertTrue(subject().createIfAbsent(IMAGE, "none"));
        subject().write(IMAGE, "repo@sha256:ab");
        assertFalse(subject().createIfAbsent(IMAGE, "none"));
        assertEquals(Optional.of("repo@sha256:ab"), subject().read(IMAGE));
    }
}
