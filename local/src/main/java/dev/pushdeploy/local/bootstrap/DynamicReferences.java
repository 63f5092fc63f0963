package dev.pushdeploy.local.bootstrap;

import dev.pushdeploy.ops.Json;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * CloudFormation's dynamic references in a property value, resolved against the emulator:
 * {@code {{resolve:ssm:name}}}, {@code {{resolve:ssm-secure:name}}} and
 * {@code {{resolve:secretsmanager:secret-id:SecretString:json-key}}} (version stage and id not supported).
 */
final class DynamicReferences {
    private static final Pattern REFERENCE = Pattern.compile("\\{\\{resolve:(ssm|ssm-secure|secretsmanager):([^}]+)}}");
    private static final String SECRET_STRING = ":SecretString";

    private DynamicReferences() {
    }

    static String resolve(String value, SsmClient ssm, SecretsManagerClient secrets) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String reference = m.group(2);
            String resolved = switch (m.group(1)) {
                case "secretsmanager" -> secret(reference, secrets);
                default -> ssm.getParameter(r -> r.name(reference).withDecryption(true)).parameter().value();
            };
            m.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String secret(String reference, SecretsManagerClient secrets) {
        int at = reference.indexOf(SECRET_STRING);
        String id = at < 0 ? reference : reference.substring(0, at);
        String document = secrets.getSecretValue(r -> r.secretId(id)).secretString();
        if (at < 0 || at + SECRET_STRING.length() == reference.length()) {
            return document;
        }
        String[] rest = reference.substring(at + SECRET_STRING.length() + 1).split(":", -1);
        if (rest.length > 1 && !String.join("", java.util.Arrays.copyOfRange(rest, 1, rest.length)).isEmpty()) {
            throw new IllegalArgumentException("dynamic reference with a version stage or id: " + reference);
        }
        String value = Json.tree(document).path(rest[0]).asText(null);
        if (value == null) {
            throw new IllegalArgumentException("secret " + id + " has no key " + rest[0]);
        }
        return value;
    }
}
