package dev.pushdeploy.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.local.template.Deployment;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * A function's environment as the expanded template sets it (SAM merges Globals into every function),
 * evaluated for one deployment, applied as system properties (which {@link Env} reads, like the local runtime).
 */
final class FunctionEnvironment {
    /** The options Lambda starts a function's JVM with, read by the JVM. */
    static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
    /** The variables the JVM reads rather than the code. */
    static final Set<String> JVM = Set.of(JAVA_TOOL_OPTIONS);

    private FunctionEnvironment() {
    }

    static Map<String, String> of(Deployment stack, String function) {
        Map<String, String> variables = new LinkedHashMap<>();
        collect(stack.properties(function).path("Environment").path("Variables"), variables);
        return variables;
    }

    /** Every variable name {@link Env} declares (its public String constants). */
    static Set<String> declared() {
        Set<String> names = new TreeSet<>();
        for (Field field : Env.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    names.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }

    /** Runs {@code action} with exactly {@code variables} among Env's variables set; restores the properties after. */
    static <T> T with(Map<String, String> variables, Action<T> action) throws Exception {
        Properties saved = (Properties) System.getProperties().clone();
        try {
            declared().forEach(System::clearProperty);
            variables.forEach(System::setProperty);
            return action.run();
        } finally {
            System.setProperties(saved);
        }
    }

    /** Work done under an environment. */
    @FunctionalInterface
    interface Action<T> {
        T run() throws Exception;
    }

    private static void collect(JsonNode variables, Map<String, String> into) {
        variables.properties().forEach(e -> into.put(e.getKey(), e.getValue().asText()));
    }
}
