package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Which AWS errors a step retries (transient) and which end it. */
class AwsCallTest {
    @ParameterizedTest(name = "{0} {1}: transient {2}")
    @CsvSource({
            "ThrottlingException, 400, true",
            "TooManyUpdates, 400, true",
            "InternalServerError, 500, true",
            "ServiceUnavailable, 503, true",
            "AccessDeniedException, 400, false",
            "ParameterLimitExceeded, 400, false",
            "ValidationException, 400, false",
    })
    void aServiceErrorIsTransientWhenItOnlySaysNotNow(String code, int status, boolean transientError) {
        AwsServiceException e = AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("m").build()).build();
        assertEquals(transientError, AwsCall.isTransient(e));
    }
}
