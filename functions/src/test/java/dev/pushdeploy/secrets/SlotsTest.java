package dev.pushdeploy.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.config.SecretSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlotsTest {
    private static final SecretSpec SPEC =
            new SecretSpec("APP_SIGNING_KEY", SecretSpec.Kind.RANDOM, "/pushdeploy/web/app-signing-key", 48, null);

    /** {@code secrets}: {@code NAME=valueFrom} entries separated by {@code ;}; {@code -} for none. */
    @ParameterizedTest(name = "{0} → live {1}, next {2}")
    @CsvSource(delimiter = '|', value = {
            "APP_SIGNING_KEY=/pushdeploy/web/app-signing-key/a                                          | a | b",
            "APP_SIGNING_KEY=/pushdeploy/web/app-signing-key/b                                          | b | a",
            "-                                                                                          | - | a",
            "APP_SIGNING_KEY=arn:aws:ssm:us-east-1:123456789012:parameter/pushdeploy/web/app-signing-key/a | a | b",
            "APP_SIGNING_KEY=arn:aws:ssm:eu-west-1:210987654321:parameter/pushdeploy/web/app-signing-key/b | b | a",
            "LEGACY_KEY=/pushdeploy/web/app-signing-key/b                                               | b | a",
            "LEGACY_KEY=/pushdeploy/web/app-signing-key/a;APP_SIGNING_KEY=/pushdeploy/web/app-signing-key/b | b | a",
            "APP_SIGNING_KEY=/pushdeploy/web/app-signing-key                                            | - | a",
            "APP_SIGNING_KEY=/pushdeploy/web/app-signing-key/c                                          | - | a",
            "APP_SIGNING_KEY=/pushdeploy/web/app-signing-key/a/b                                        | - | a",
            "APP_SIGNING_KEY=/pushdeploy/other/a                                                        | - | a",
            "APP_SIGNING_KEY=pushdeploy/web/app-signing-key/a                                           | - | a",
            "APP_SIGNING_KEY=arn:aws:secretsmanager:us-east-1:123456789012:secret:app-signing-key/a     | - | a",
            "DB_PASSWORD=/pushdeploy/web/db/b;PORT_SECRET=/pushdeploy/web/app-signing-key/a             | a | b",
    })
    void choosesTheInactiveSlot(String secrets, String live, String next) {
        Optional<String> liveSlot = Slots.live(SPEC, parse(secrets));
        assertEquals(live, liveSlot.orElse("-"));
        assertEquals(next, Slots.next(liveSlot));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/pushdeploy/web/app-signing-key/a                                          | /pushdeploy/web/app-signing-key/a",
            "arn:aws:ssm:us-east-1:123456789012:parameter/pushdeploy/web/app-signing-key/a | /pushdeploy/web/app-signing-key/a",
            "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/x/b                | /x/b",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:x                     | ''",
    })
    void readsParameterNamesFromNamesAndArns(String valueFrom, String name) {
        assertEquals(name, Slots.parameterName(valueFrom));
    }

    private static Map<String, String> parse(String secrets) {
        Map<String, String> parsed = new LinkedHashMap<>();
        if (!secrets.equals("-")) {
            for (String entry : secrets.split(";")) {
                String[] kv = entry.split("=", 2);
                parsed.put(kv[0], kv[1]);
            }
        }
        return parsed;
    }
}
