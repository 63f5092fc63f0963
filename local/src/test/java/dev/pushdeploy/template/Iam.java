package dev.pushdeploy.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.template.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Allow statements of a role in template.yaml (inline policies and the template's own managed
 * policies attached to it), evaluated for one deployment, and IAM's wildcard matching.
 * Conditions only narrow a grant; they are ignored here, so "allowed" means "granted by some statement"
 * ({@link IamSimulator} evaluates them, and Deny, as IAM does).
 */
final class Iam {
    record Statement(String sid, List<String> actions, List<String> resources) {
        boolean allows(String action, String resource) {
            return actions.stream().anyMatch(a -> matches(a.toLowerCase(Locale.ROOT), action.toLowerCase(Locale.ROOT)))
                    && (resource == null || resources.stream().anyMatch(r -> matches(r, resource)));
        }
    }

    private Iam() {
    }

    /** IAM wildcard match: {@code *} any run of characters, {@code ?} one character. */
    static boolean matches(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        return value.matches(regex.toString());
    }

    static List<Statement> statements(Deployment stack, String role) {
        List<Statement> statements = new ArrayList<>();
        documents(stack, role).forEach(document -> collect(document, statements));
        return statements;
    }

    /** The Allow statements of one policy document. */
    static List<Statement> statements(JsonNode document) {
        List<Statement> statements = new ArrayList<>();
        collect(document, statements);
        return statements;
    }

    /** The policy documents of {@code role}: its inline policies', then those of the template's managed policies it attaches. */
    static List<JsonNode> documents(Deployment stack, String role) {
        List<JsonNode> documents = new ArrayList<>();
        for (JsonNode policy : stack.properties(role).path("Policies")) {
            documents.add(policy.path("PolicyDocument"));
        }
        for (JsonNode arn : stack.template().properties(role).path("ManagedPolicyArns")) {
            String logicalId = arn.path("Ref").asText(null);
            if (logicalId == null || !"AWS::IAM::ManagedPolicy".equals(stack.template().type(logicalId))) {
                throw new IllegalStateException(role + " attaches a policy that is not the template's own: " + arn);
            }
            documents.add(stack.properties(logicalId).path("PolicyDocument"));
        }
        return documents;
    }

    static boolean allows(List<Statement> statements, String action, String resource) {
        return statements.stream().anyMatch(s -> s.allows(action, resource));
    }

    private static void collect(JsonNode document, List<Statement> into) {
        for (JsonNode statement : document.path("Statement")) {
            allow(statement).ifPresent(into::add);
        }
    }

    /** One statement of a policy document, if it is an Allow. */
    static java.util.Optional<Statement> allow(JsonNode statement) {
        if (!"Allow".equals(statement.path("Effect").asText())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Statement(statement.path("Sid").asText(""), texts(statement.path("Action")),
                texts(statement.path("Resource"))));
    }

    private static List<String> texts(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else if (!node.isMissingNode()) {
            values.add(node.asText());
        }
        return values;
    }
}
