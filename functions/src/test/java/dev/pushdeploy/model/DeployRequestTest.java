package dev.pushdeploy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

class DeployRequestTest {
    /** Every component set, none to its default: a component the builder forgets shows up here. */
    static DeployRequest everyComponentSet() {
        return DeployRequest.builder()
                .requestId("exec-1").action(Action.DEPLOY).source("ecr")
                .cluster("pushdeploy").service("web").container("app").repository("web")
                .image("repo@sha256:1").digest("sha256:1").tag("v1").reason("push").pushedAt(1L)
                .previousTaskDefinition("web:1").previousImage("repo@sha256:0").targetTaskDefinition("web:0")
                .decision(Decision.PROCEED).decisionReason("why")
                .rotate(true).register(true).scanGate(true)
                .deadlineSeconds(600).bakeSeconds(30)
                .executionArn("arn:aws:states:us-east-1:123456789012:execution:deploy:exec-1").startedAt(2L)
                .undoes("hist#2025-01-01T00:00:00.000Z#exec-0")
                .desiredCount(2).previousDesiredCount(1)
                .liveSlots(java.util.Map.of("APP_SIGNING_KEY", "a"))
                .configVersion(3L)
                .rollBackStoppedRuns(true)
                .build();
    }

    @Test
    void theBuilderSetsEveryComponent() throws ReflectiveOperationException {
        DeployRequest request = everyComponentSet();
        for (RecordComponent component : DeployRequest.class.getRecordComponents()) {
            Object value = component.getAccessor().invoke(request);
            assertNotNull(value, component.getName());
            assertNotEquals(false, value, component.getName());
            assertNotEquals(0, value, component.getName());
        }
    }

    @Test
    void toBuilderKeepsEveryComponent() {
        DeployRequest request = everyComponentSet();
        assertEquals(request, request.toBuilder().build());
    }

    @Test
    void anEndedRequestCarriesOnlyItsDecision() {
        DeployRequest ended = DeployRequest.ended("exec-1", Decision.REJECTED, "bad input");
        assertEquals(DeployRequest.builder().requestId("exec-1").decision(Decision.REJECTED).decisionReason("bad input").build(), ended);
        assertNull(ended.serviceKey());
    }
}
