package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.TransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.ServerException;
import software.amazon.awssdk.services.ecs.model.SortOrder;

/**
 * The ECS adapter's listing under real ECS semantics, which moto does not reproduce: a family
 * prefix also matches longer families, DESC sorts families in reverse order before revisions,
 * and results are paged.
 */
class EcsTaskDefinitionsTest {
    static final String PREFIX = "arn:aws:ecs:us-east-1:123456789012:task-definition/";

    /** ECS's DESC order for prefix "web": web-worker (lexically after web) first, then web, newest first. */
    final List<String> ecsOrder = new ArrayList<>();
    final List<ListTaskDefinitionsRequest> requests = new ArrayList<>();
    int pageSize = 3;

    final EcsClient ecs = new EcsClient() {
        @Override
        public ListTaskDefinitionsResponse listTaskDefinitions(ListTaskDefinitionsRequest request) {
            requests.add(request);
            int from = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
            int to = Math.min(ecsOrder.size(), from + pageSize);
            return ListTaskDefinitionsResponse.builder()
                    .taskDefinitionArns(ecsOrder.subList(from, to))
                    .nextToken(to < ecsOrder.size() ? String.valueOf(to) : null)
                    .build();
        }

        @Override
        public String serviceName() {
            return "ecs";
        }

        @Override
        public void close() {
        }
    };

    @Test
    void pagesPastLongerFamiliesAndReturnsTheNewestOfTheFamily() {
        IntStream.of(4, 3, 2, 1).forEach(r -> ecsOrder.add(PREFIX + "web-worker:" + r));
        IntStream.rangeClosed(1, 9).map(r -> 10 - r).forEach(r -> ecsOrder.add(PREFIX + "web:" + r));

        List<String> newest = new EcsTaskDefinitions(ecs).newest("web", 3);

        assertEquals(List.of(PREFIX + "web:9", PREFIX + "web:8", PREFIX + "web:7"), newest);
        assertEquals(3, requests.size(), "stops paging once it has enough");
        assertEquals(SortOrder.DESC, requests.get(0).sort());
        assertEquals("web", requests.get(0).familyPrefix());
    }

    /** moto: one unpaged, unsorted answer. */
    @Test
    void sortsItselfWhenTheServiceDoesNot() {
        pageSize = Integer.MAX_VALUE;
        IntStream.rangeClosed(1, 4).forEach(r -> ecsOrder.add(PREFIX + "web:" + r));

        assertEquals(List.of(PREFIX + "web:4", PREFIX + "web:3"), new EcsTaskDefinitions(ecs).newest("web", 2));
    }

    @Test
    void aFamilyWithNoRevisionsHasNone() {
        ecsOrder.add(PREFIX + "web-worker:1");

        assertEquals(List.of(), new EcsTaskDefinitions(ecs).newest("web", 5));
    }

    @Test
    void sdkErrorsBecomeDomainErrorsNamingTheCall() {
        EcsClient failing = new EcsClient() {
            int calls;

            @Override
            public ListTaskDefinitionsResponse listTaskDefinitions(ListTaskDefinitionsRequest request) {
                if (calls++ == 0) {
                    throw ServerException.builder().statusCode(500)
                            .awsErrorDetails(AwsErrorDetails.builder().errorCode("ServerException").errorMessage("boom").build()).build();
                }
                throw ClientException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ClientException").errorMessage("denied").build()).build();
            }

            @Override
            public String serviceName() {
                return "ecs";
            }

            @Override
            public void close() {
            }
        };
        EcsTaskDefinitions definitions = new EcsTaskDefinitions(failing);

        TransientException retry = assertThrows(TransientException.class, () -> definitions.newest("web", 5));
        AwsFailureException fail = assertThrows(AwsFailureException.class, () -> definitions.newest("web", 5));

        assertEquals("ecs:ListTaskDefinitions web failed transiently: ServerException: boom", retry.getMessage());
        assertEquals("ecs:ListTaskDefinitions web failed: ClientException: denied", fail.getMessage());
    }
}
