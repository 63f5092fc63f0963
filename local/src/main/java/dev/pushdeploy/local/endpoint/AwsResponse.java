package dev.pushdeploy.local.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What the local endpoint answers: status, headers and body. */
public record AwsResponse(int status, Map<String, List<String>> headers, byte[] body) {
    public static final String JSON_1_1 = "application/x-amz-json-1.1";

    public static AwsResponse json(int status, String contentType, String body, Map<String, String> extraHeaders) {
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        headers.put("Content-Type", List.of(contentType));
        extraHeaders.forEach((k, v) -> headers.put(k, List.of(v)));
        return new AwsResponse(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    public static AwsResponse json(int status, String body) {
        return json(status, "application/json", body, Map.of());
    }

    public static AwsResponse xml(int status, String body) {
        return new AwsResponse(status, Map.of("Content-Type", List.of("text/xml")), body.getBytes(StandardCharsets.UTF_8));
    }

    public static AwsResponse text(int status, String body) {
        return new AwsResponse(status, Map.of("Content-Type", List.of("text/plain")), body.getBytes(StandardCharsets.UTF_8));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
