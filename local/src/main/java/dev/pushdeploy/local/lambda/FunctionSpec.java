package dev.pushdeploy.local.lambda;

import java.util.Map;

/**
 * A Lambda function as the template declares it.
 *
 * @param name        the template's logical id (also the function name locally)
 * @param handler     {@code package.Class::method}, as in the template
 * @param environment the function's environment variables, intrinsics resolved
 * @param timeoutSeconds its {@code Timeout}
 * @param memoryMb    its {@code MemorySize}
 */
public record FunctionSpec(String name, String handler, Map<String, String> environment, int timeoutSeconds, int memoryMb) {
    public FunctionSpec {
        environment = Map.copyOf(environment);
    }

    public String handlerClass() {
        int sep = handler.indexOf("::");
        return sep < 0 ? handler : handler.substring(0, sep);
    }
}
