package dev.pushdeploy.local.endpoint;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP request that reached the local endpoint, with what the AWS protocols say about it:
 * the service (signing name from the SigV4 credential scope) and the operation (JSON protocols'
 * {@code X-Amz-Target}, the query protocol's {@code Action}).
 */
public record AwsRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/[^/]+/([^/]+)/aws4_request");
    private static final String ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.";

    public AwsRequest {
        TreeMap<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(headers);
        headers = sorted;
        body = body == null ? new byte[0] : body;
    }

    /**
     * A call of an AWS JSON 1.1 API ({@code X-Amz-Target} {@code target}) as the runtime itself makes it to moto: signed
     * for {@code service} in us-east-1 with a placeholder signature (moto reads the scope, not the signature).
     */
    public static AwsRequest json(String target, String service, String body) {
        return new AwsRequest("POST", "/", null, Map.of(
                "X-Amz-Target", List.of(target),
                "Content-Type", List.of(AwsResponse.JSON_1_1),
                "Authorization", List.of("AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/" + service + "/aws4_request, "
                        + "SignedHeaders=host, Signature=0")),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A call of ECR's API ({@code operation}, e.g. DescribeImages) as the runtime itself makes it to moto (see {@link #json}). */
    public static AwsRequest ecr(String operation, String body) {
        return json(ECR_TARGET + operation, "ecr", body);
    }

    /** The operation of ECR's API this request calls ({@code PutImage}), or null when it calls another API. */
    public String ecrOperation() {
        String target = header("X-Amz-Target");
        return target != null && target.startsWith(ECR_TARGET) ? target.substring(ECR_TARGET.length()) : null;
    }

    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The SigV4 signing name ({@code ecs}, {@code elasticloadbalancing}, {@code ssm}, ...), or "" when unsigned. */
    public String service() {
        String authorization = header("Authorization");
        if (authorization == null) {
            return "";
        }
        Matcher m = SCOPE.matcher(authorization);
        return m.find() ? m.group(1) : "";
    }

    /** The API operation, or "" when the protocol does not name one in the request. */
    public String operation() {
        String target = header("X-Amz-Target");
        if (target != null) {
            int dot = target.lastIndexOf('.');
            return dot < 0 ? target : target.substring(dot + 1);
        }
        String action = form().get("Action");
        return action == null ? "" : action;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The form parameters of a query-protocol request (empty for other bodies). */
    public Map<String, String> form() {
        String type = header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return Map.of();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : bodyText().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
