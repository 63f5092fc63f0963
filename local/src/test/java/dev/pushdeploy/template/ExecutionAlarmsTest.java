package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.template.Deployment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every workflow the stack creates (the deployment's, and the release's when there are two services)
 * tells the notification topic when one of its executions fails or times out.
 */
class ExecutionAlarmsTest {
    private static final String DIGEST = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyStateMachineHasAFailedAndATimedOutAlarm(boolean twoServices) {
        Deployment stack = Deployments.withRelease(twoServices ? Map.of("SecondServiceName", "api") : Map.of(), DIGEST);
        List<String> machines = new ArrayList<>();
        Set<String> alarmed = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stack.template().root().path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> resource = it.next();
            if (!stack.exists(resource.getKey())) {
                continue;
            }
            String type = resource.getValue().path("Type").asText();
            if (type.equals("AWS::StepFunctions::StateMachine")) {
                machines.add(stack.ref(resource.getKey()));
            }
            if (type.equals("AWS::CloudWatch::Alarm") && stack.properties(resource.getKey()).path("Namespace").asText().equals("AWS/States")) {
                JsonNode alarm = stack.properties(resource.getKey());
                assertEquals(stack.ref("NotificationTopic"), alarm.path("AlarmActions").get(0).asText(), resource.getKey());
                alarmed.add(alarm.path("Dimensions").get(0).path("Value").asText() + " " + alarm.path("MetricName").asText());
            }
        }
        assertEquals(twoServices ? 2 : 1, machines.size(), machines.toString());
        for (String machine : machines) {
            assertTrue(alarmed.contains(machine + " ExecutionsFailed"), machine + " in " + alarmed);
            assertTrue(alarmed.contains(machine + " ExecutionsTimedOut"), machine + " in " + alarmed);
        }
    }
}
