package dev.pushdeploy.model;

import java.util.Map;

/**
 * What ECS asks a lifecycle hook at one stage of a service deployment: its Lambda payload
 * ({@code executionId, lifecycleStage, resourceArn, executionDetails{serviceArn,
 * targetServiceRevisionArn, testTrafficWeights, productionTrafficWeights}, hookDetails}) as plain data.
 *
 * @param serviceDeploymentArn {@code resourceArn}: the service deployment
 * @param productionWeights    service revision ARN → production traffic percentage (empty at most stages)
 * @param testWeights          service revision ARN → test traffic percentage
 * @param details              what the hook returned with its last IN_PROGRESS answer (ECS passes it back)
 */
public record HookRequest(String executionId, String stage, String serviceDeploymentArn, String serviceArn,
                          String targetRevisionArn, Map<String, Double> productionWeights, Map<String, Double> testWeights,
                          Map<String, String> details) implements ServiceScoped {
    public HookRequest {
        productionWeights = productionWeights == null ? Map.of() : Map.copyOf(productionWeights);
        testWeights = testWeights == null ? Map.of() : Map.copyOf(testWeights);
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** The target revision's weight in {@code productionWeights}; null when the payload gives none. */
    public Double targetProductionWeight() {
        return targetRevisionArn == null ? null : productionWeights.get(targetRevisionArn);
    }

    /** {@code cluster/service} from {@code arn:aws:ecs:<region>:<account>:service/<cluster>/<service>}; null when malformed. */
    @Override
    public String serviceKey() {
        if (serviceArn == null || !serviceArn.contains(":service/")) {
            return null;
        }
        String[] path = serviceArn.substring(serviceArn.indexOf(":service/") + ":service/".length()).split("/");
        return path.length == 2 && !path[0].isEmpty() && !path[1].isEmpty() ? path[0] + "/" + path[1] : null;
    }
}
