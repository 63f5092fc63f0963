package dev.pushdeploy.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.RotationFailedException;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SlotStore} does, the in-memory fake as the SSM adapter
 * ({@code InMemorySlotStoreTest} here, {@code SsmSlotStoreIT} on the emulator).
 */
public abstract class SlotStoreContract {
    static final String SLOT = "/pushdeploy/web/app-signing-key/a";
    static final String MASTER = "/pushdeploy/web/db-master";
    static final String KMS_KEY = "alias/aws/ssm";

    protected abstract SlotStore subject();

    @Test
    void aParameterThatDoesNotExistReadsEmpty() {
        assertTrue(subject().read(SLOT).isEmpty());
        assertTrue(subject().master(MASTER).isEmpty());
    }

    @Test
    void eachWriteIsTheNextVersionAndReadsBack() {
        assertEquals(1L, subject().write(SLOT, SecretValue.of("first"), KMS_KEY));
        assertEquals(2L, subject().write(SLOT, SecretValue.of("second"), KMS_KEY));

        assertEquals("second", subject().read(SLOT).orElseThrow().reveal());
    }

    @Test
    void readsTheMasterLogin() {
        subject().write(MASTER, SecretValue.of("{\"username\":\"postgres\",\"password\":\"pw\"}"), KMS_KEY);

        MasterCredentials master = subject().master(MASTER).orElseThrow();

        assertEquals("postgres", master.username());
        assertEquals("pw", master.password().reveal());
    }

    @Test
    void aMalformedMasterLoginFailsRotation() {
        subject().write(MASTER, SecretValue.of("postgres:pw"), KMS_KEY);

        assertThrows(RotationFailedException.class, () -> subject().master(MASTER));
    }
}
