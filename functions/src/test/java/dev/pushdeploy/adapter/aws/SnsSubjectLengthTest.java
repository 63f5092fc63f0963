package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.ledger.OutcomeNotice;
import dev.pushdeploy.ledger.ReleaseRecord;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sns.model.PublishResponse;

/**
 * The subject SnsOutcomeSink publishes a run's outcome with, against SNS's documented constraint on Publish's Subject.
 *
 * <p>Reference (AWS SDK for Kotlin API reference, PublishRequest.subject,
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sns/aws.sdk.kotlin.services.sns.model/-publish-request/subject.html):
 * "Constraints: Subjects must be UTF-8 text with no line breaks or control characters, and less than 100 characters long."
 * The SNS API model as shipped in the AWS SDKs (botocore, aws-sdk-ruby, rusoto) says the same: "... and must be less than
 * 100 characters long." A subject of exactly 100 characters is therefore refused (InvalidParameter), which AwsCall turns
 * into a non-transient AwsFailureException: RunCloser.announce keeps its claim on the record, so the email subscribers
 * would never get the outcome of any run of that service.
 *
 * <p>{@code OutcomeNotice.subject()} capped the subject at "at most 100 characters" (its Javadoc then), one too many. The
 * configuration accepts cluster and service names of up to 255 characters each (ConfigParser.ECS_NAME), so a service key
 * of 73 characters or more gives a 100-character subject for ROLLBACK_FAILED.
 */
class SnsSubjectLengthTest {
    /** 41 + 1 + 31 = 73 characters: a realistic key. */
    static final String SERVICE_KEY = "payments-platform-production-eu-central-1/checkout-api-blue-green-service";

    static final class RecordingSns implements SnsClient {
        final List<PublishRequest> published = new ArrayList<>();

        @Override
        public PublishResponse publish(PublishRequest request) {
            published.add(request);
            return PublishResponse.builder().messageId("m-1").build();
        }

        @Override
        public String serviceName() {
            return "sns";
        }

        @Override
        public void close() {
        }
    }

    private static OutcomeNotice notice(Outcome outcome, String serviceKey) {
        return new OutcomeNotice("deploy-20240601-1", outcome, "the new revision failed its health check",
                null, "rollback failed: timed out", Action.DEPLOY, serviceKey,
                "123456789012.dkr.ecr.eu-central-1.amazonaws.com/checkout@sha256:" + "a".repeat(64),
                null, null, null, List.of(), List.of());
    }

    @Test
    void theSubjectOfARunOfAServiceWithALongKeyIsShorterThan100CharactersAsSnsRequires() {
        assertEquals(73, SERVICE_KEY.length());
        RecordingSns sns = new RecordingSns();

        new SnsOutcomeSink(sns, "arn:aws:sns:eu-central-1:123456789012:pushdeploy").publish(notice(Outcome.ROLLBACK_FAILED, SERVICE_KEY));

        String subject = sns.published.getFirst().subject();
        assertTrue(subject.length() < 100, "SNS refuses a Subject that is not less than 100 characters long, but the sink sent "
                + subject.length() + " characters: '" + subject + "'");
    }

    @Test
    void aSubjectCutShortForALongerKeyIsStillShorterThan100Characters() {
        RecordingSns sns = new RecordingSns();

        new SnsOutcomeSink(sns, "arn:aws:sns:eu-central-1:123456789012:pushdeploy")
                .publish(notice(Outcome.SUCCEEDED, "c".repeat(120) + "/" + "s".repeat(120)));

        String subject = sns.published.getFirst().subject();
        assertTrue(subject.length() < 100, "SNS refuses a Subject that is not less than 100 characters long, but the sink cut it to "
                + subject.length() + " characters");
    }

    /**
     * A release the reconciler records for an execution that ended before PlanRelease checked its name (stopped, or failed
     * by a service error) is named by its execution name as the end event gives it (ReconcileHandler: {@code detail.name()}),
     * up to Step Functions' 80 characters, not the planner's 40: "pushdeploy release " + 80 + ": ABORTED" is 108 characters,
     * cut to 100, which SNS refuses as above; the reconciler then fails on every delivery of that end event.
     */
    @Test
    void theSubjectOfAReleaseNamedByALongExecutionNameIsShorterThan100Characters() {
        RecordingSns sns = new RecordingSns();
        String executionName = "nightly-release-of-the-checkout-payments-and-inventory-services-2024-06-01T0200Z";
        assertEquals(80, executionName.length());

        new SnsOutcomeSink(sns, "arn:aws:sns:eu-central-1:123456789012:pushdeploy")
                .publish(new ReleaseRecord.Notice(executionName, "ABORTED", "release " + executionName, "the release was stopped", List.of()));

        String subject = sns.published.getFirst().subject();
        assertTrue(subject.length() < 100, "SNS refuses a Subject that is not less than 100 characters long, but the release's was "
                + subject.length() + " characters: '" + subject + "'");
    }
}
