package dev.pushdeploy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RevisionsTest {
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2, web:2,  true",
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2, arn:aws:ecs:eu-west-1:1:task-definition/web:2, true",
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2, web:12, false",
            "web:1, web:2, false",
            "null, web:2, false",
            "web:2, null, false",
    })
    void sameRevision(String a, String b, boolean same) {
        assertEquals(same, Revisions.same(a, b));
    }
}
