package dev.pushdeploy.local.ecs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.run.EventEnvelope;
import java.time.Instant;

/**
 * The events ECS sends to EventBridge about a service, shaped as the ECS developer guide documents
 * them: "ECS Deployment State Change" (SERVICE_DEPLOYMENT_IN_PROGRESS / _COMPLETED / _FAILED, with
 * the deployment id and reason, the service ARN as the only resource), "ECS Task State Change"
 * (the task as DescribeTasks shows it, timestamps as ISO strings) and "ECS Service Action"
 * (SERVICE_STEADY_STATE, SERVICE_TASK_START_IMPAIRED). Times are simulated epoch seconds.
 */
final class EcsEvents {
    static final String SOURCE = "aws.ecs";
    static final String DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change";
    static final String TASK_STATE_CHANGE = "ECS Task State Change";
    static final String SERVICE_ACTION = "ECS Service Action";
    static final String IN_PROGRESS = "SERVICE_DEPLOYMENT_IN_PROGRESS";
    static final String COMPLETED = "SERVICE_DEPLOYMENT_COMPLETED";
    static final String FAILED = "SERVICE_DEPLOYMENT_FAILED";
    static final String STEADY_STATE = "SERVICE_STEADY_STATE";
    static final String TASK_START_IMPAIRED = "SERVICE_TASK_START_IMPAIRED";

    private EcsEvents() {
    }

    static ObjectNode deploymentStateChange(SimService service, SimDeployment deployment, String eventName, String reason,
                                            double t) {
        ObjectNode event = serviceEvent(DEPLOYMENT_STATE_CHANGE, service, FAILED.equals(eventName) ? "ERROR" : "INFO", eventName, t);
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("deploymentId", deployment.id);
        detail.put("updatedAt", iso(t));
        detail.put("reason", reason);
        return event;
    }

    static ObjectNode serviceAction(SimService service, String eventName, double t) {
        ObjectNode event = serviceEvent(SERVICE_ACTION, service, TASK_START_IMPAIRED.equals(eventName) ? "WARN" : "INFO", eventName, t);
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("clusterArn", service.clusterArn);
        detail.put("createdAt", iso(t));
        return event;
    }

    /** {@code task} is the task as DescribeTasks renders it (epoch-second timestamps). */
    static ObjectNode taskStateChange(SimService service, ObjectNode task, int version, double t) {
        ObjectNode event = envelope(TASK_STATE_CHANGE, t, task.path("taskArn").asText());
        ObjectNode detail = task.deepCopy();
        for (String field : new String[] {"createdAt", "startedAt", "stoppingAt", "stoppedAt", "pullStartedAt",
                "pullStoppedAt", "connectivityAt", "executionStoppedAt"}) {
            if (detail.path(field).isNumber()) {
                detail.put(field, iso(detail.get(field).asDouble()));
            }
        }
        for (var attachment : detail.path("attachments")) {
            ((ObjectNode) attachment).put("type", "eni");
        }
        detail.put("updatedAt", iso(t));
        detail.put("version", version);
        ArrayNode overrides = detail.putObject("overrides").putArray("containerOverrides");
        detail.path("containers").forEach(c -> overrides.addObject().put("name", c.path("name").asText()));
        event.set("detail", detail);
        return event;
    }

    /** An event of a service: the envelope and the detail's {@code eventType} and {@code eventName}. */
    private static ObjectNode serviceEvent(String detailType, SimService service, String eventType, String eventName, double t) {
        ObjectNode event = envelope(detailType, t, service.serviceArn);
        event.putObject("detail").put("eventType", eventType).put("eventName", eventName);
        return event;
    }

    private static ObjectNode envelope(String detailType, double t, String resource) {
        return EventEnvelope.of(SOURCE, detailType, resource, t);
    }

    static String iso(double epochSeconds) {
        return Instant.ofEpochMilli(Math.round(epochSeconds * 1000)).toString();
    }
}
