package dev.pushdeploy.adapter.postgres;

import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.SecretValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.error.RotationFailedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresRolesTest {
    @ParameterizedTest
    @ValueSource(strings = {"db/evil?sslmode=disable", "db host", "db:5433", "user@db", "[not-v6]"})
    void refusesHostsThatWouldRewriteTheJdbcUrl(String host) {
        SecretSpec.Postgres database = new SecretSpec.Postgres(host, 5432, "app", "app", "DB_USER", "/m");

        RotationFailedException e = assertThrows(RotationFailedException.class, () -> new PostgresRoles().rotate(database,
                new MasterCredentials("master", SecretValue.of("pw")), null, "app_a", SecretValue.of("new")));
        assertEquals("database host of postgresql://" + host + ":5432/app is not a host name or address", e.getMessage());
    }
}
