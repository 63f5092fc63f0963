package dev.pushdeploy.adapter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.secrets.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The functions' JSON binding (jackson-jr): what the state documents and events rely on. */
class JsonTest {
    record Event(String source, @JsonProperty("detail-type") String detailType, List<String> resources, Inner detail) {
    }

    record Inner(String name, int count, Long big, boolean flag, double share) {
    }

    @Test
    void recordsIgnoreUnknownFieldsAndTakeTheirJsonNames() {
        Event event = Json.read("{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Deployment State Change\",\"id\":\"x\","
                + "\"detail\":{\"name\":\"n\",\"extra\":{\"a\":[1,{}]},\"count\":3},\"resources\":[\"arn\"]}", Event.class);
        assertEquals(new Event("aws.ecs", "ECS Deployment State Change", List.of("arn"), new Inner("n", 3, null, false, 0.0)), event);
        assertEquals("{\"source\":\"s\",\"detail-type\":\"d\"}", Json.write(new Event("s", "d", null, null)));
    }

    @Test
    void recordsAreWrittenInDeclarationOrderWithoutNullsAndEnumsByName() {
        DeployRequest request = DeployRequest.builder().requestId("r").action(Action.DEPLOY).cluster("c").build();
        String written = Json.write(request);
        assertTrue(written.startsWith("{\"requestId\":\"r\",\"action\":\"DEPLOY\",\"cluster\":\"c\","), written);
        assertTrue(!written.contains("null") && !written.contains("serviceKey"), written);
        assertEquals(request, Json.read(written, DeployRequest.class));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\": {\"first\": \"w\"}}  | name: must be a string, not an object",
        "{\"name\": 5}                   | name: must be a string, not a number",
        "{\"count\": \"3\"}              | count: must be an integer, not a string",
        "{\"count\": 1.5}                | count: must be an integer, not a number",
        "{\"big\": [1]}                  | big: must be an integer, not an array",
        "{\"flag\": \"true\"}            | flag: must be a boolean, not a string",
        "{\"share\": true}               | share: must be a number, not a boolean"})
    void aValueOfTheWrongJsonTypeIsAnErrorNamingTheField(String json, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read(json, Inner.class));
        assertEquals("not valid JSON for Inner: " + problem, e.getMessage());
    }

    @Test
    void nullsReadAsAbsent() {
        assertEquals(new Inner(null, 0, null, false, 0.0),
                Json.read("{\"name\":null,\"count\":null,\"big\":null,\"flag\":null,\"share\":null}", Inner.class));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"[1] | array", "\"x\" | string", "null | null", "' ' | nothing", "7 | number"})
    void readObjectSaysWhatTheDocumentIsWhenItIsNotAnObject(String json, String kind) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.readObject(json.getBytes(StandardCharsets.UTF_8), Inner.class, "Step"));
        assertEquals("expected a JSON object for Step, got " + kind, e.getMessage());
    }

    @Test
    void treesArePlainMapsAndLists() {
        Object tree = Json.parse("{\"a\":[1,12345678901,1.5,\"s\",true,null],\"b\":{},\"a2\":1,\"a2\":2}");
        assertEquals(Map.of(), Json.member(tree, "b"));
        assertEquals(2, Json.member(tree, "a2"), "the last of a twice-given key");
        List<?> a = (List<?>) Json.member(tree, "a");
        assertEquals(List.of("Integer", "Long", "Double", "String", "Boolean"),
                a.subList(0, 5).stream().map(v -> v.getClass().getSimpleName()).toList());
        assertNull(a.get(5));
        assertEquals(List.of("object", "array", "string", "number", "boolean", "null"),
                List.of(Json.kind(Map.of()), Json.kind(List.of()), Json.kind("s"), Json.kind(1), Json.kind(true), Json.kind(null)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"a\":1,\"a\":2}  | Duplicate key (key 'a')",
        "{\"a\":1} {}       | trailing token after the value",
        "{\"a\":            | Unexpected end-of-input"})
    void strictTreesRefuseTwiceGivenKeysAndTrailingValues(String json, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseStrict(json));
        assertTrue(e.getMessage().startsWith("not valid JSON: ") && e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void aSecretValueIsNeverWritten() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Json.write(Map.of("nested", List.of(SecretValue.of("hunter2-hunter2")))));
        assertTrue(!String.valueOf(e.getMessage()).contains("hunter2") && !String.valueOf(e.getCause()).contains("hunter2"));
    }
}
