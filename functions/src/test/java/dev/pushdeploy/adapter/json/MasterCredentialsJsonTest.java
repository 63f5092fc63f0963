package dev.pushdeploy.adapter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.SecretValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MasterCredentialsJsonTest {
    @Test
    void readsUsernameAndPassword() {
        MasterCredentials master = MasterCredentialsJson.parse("/m", SecretValue.of("{\"username\":\"postgres\",\"password\":\"s3cr3t-pw\"}"));

        assertEquals("postgres", master.username());
        assertEquals("s3cr3t-pw", master.password().reveal());
        assertFalse(master.toString().contains("s3cr3t-pw"));
    }

    @Test
    void readsTheDocumentItWrites() {
        MasterCredentials master = new MasterCredentials("postgres", SecretValue.of("pw \"quoted\""));

        MasterCredentials read = MasterCredentialsJson.parse("/m", SecretValue.of(MasterCredentialsJson.document(master)));

        assertEquals("postgres", read.username());
        assertEquals("pw \"quoted\"", read.password().reveal());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "s3cr3t-pw",
            "{\"username\":\"postgres\",\"password\":\"s3cr3t-pw\"",
            "[\"postgres\",\"s3cr3t-pw\"]",
            "{\"user\":\"postgres\",\"password\":\"s3cr3t-pw\"}",
            "{\"username\":\" \",\"password\":\"s3cr3t-pw\"}",
            "{\"username\":\"postgres\",\"password\":\"\"}",
            "{\"username\":\"postgres\",\"password\":{\"v\":\"s3cr3t-pw\"}}",
            "",
    })
    void rejectsOtherShapesWithoutQuotingThem(String document) {
        RotationFailedException e = assertThrows(RotationFailedException.class,
                () -> MasterCredentialsJson.parse("/pushdeploy/db-master", SecretValue.of(document)));

        assertTrue(e.getMessage().startsWith("master credentials parameter /pushdeploy/db-master "), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"));
        assertNull(e.getCause());
    }
}
