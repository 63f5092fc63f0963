package dev.pushdeploy.local.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsRequestTest {
    static final String SIGNATURE = "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/%s/aws4_request, SignedHeaders=host, Signature=abc";

    @Test
    void jsonProtocolsNameTheOperationInTheTargetHeader() {
        AwsRequest request = request(Map.of("X-Amz-Target", List.of("AmazonEC2ContainerServiceV20141113.UpdateService"),
                "Authorization", List.of(SIGNATURE.formatted("ecs"))), "{}");
        assertEquals("ecs", request.service());
        assertEquals("UpdateService", request.operation());
    }

    @Test
    void theQueryProtocolNamesItInTheFormBody() {
        AwsRequest request = request(Map.of("content-type", List.of("application/x-www-form-urlencoded; charset=utf-8"),
                "authorization", List.of(SIGNATURE.formatted("elasticloadbalancing"))),
                "Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=arn%3Aaws%3Atg%2Fweb");
        assertEquals("elasticloadbalancing", request.service());
        assertEquals("DescribeTargetHealth", request.operation());
        assertEquals("arn:aws:tg/web", request.form().get("TargetGroupArn"));
    }

    @Test
    void unsignedAndOperationlessRequestsHaveNeither() {
        AwsRequest request = request(Map.of(), "{\"x\":1}");
        assertEquals("", request.service());
        assertEquals("", request.operation());
        assertEquals(Map.of(), request.form());
    }

    static AwsRequest request(Map<String, List<String>> headers, String body) {
        return new AwsRequest("POST", "/", null, headers, body.getBytes(StandardCharsets.UTF_8));
    }
}
