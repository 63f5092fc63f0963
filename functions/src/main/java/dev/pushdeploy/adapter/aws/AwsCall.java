package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.TransientException;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/** Runs one AWS call and turns SDK errors into domain exceptions that name the call. */
public final class AwsCall {
    private AwsCall() {
    }

    public static <T> T run(String call, Supplier<T> body) {
        try {
            return body.get();
        } catch (SdkServiceException e) {
            if (isTransient(e)) {
                throw new TransientException(call + " failed transiently: " + describe(e), e);
            }
            throw new AwsFailureException(call + " failed: " + describe(e), e);
        } catch (SdkClientException e) {
            throw new TransientException(call + " failed to reach AWS: " + e.getMessage(), e);
        }
    }

    public static void exec(String call, Runnable body) {
        run(call, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Errors the SDK does not count as throttling that still only say "not now": SSM's TooManyUpdates, "There are concurrent
     * updates for a resource that supports one update at a time" (a PutParameter of a slot while another is in flight).
     */
    private static final Set<String> BUSY = Set.of("TooManyUpdates");

    /** Throttling, 5xx, request timeouts and a resource busy with another update are retried; everything else is a real failure. */
    public static boolean isTransient(SdkServiceException e) {
        return e.isThrottlingException() || e.statusCode() >= 500 || e.statusCode() == 429 || e.retryable()
                || BUSY.contains(errorCode(e));
    }

    /** The AWS error code of a service exception, or "" when there is none. */
    public static String errorCode(SdkServiceException e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                && aws.awsErrorDetails().errorCode() != null) {
            return aws.awsErrorDetails().errorCode();
        }
        return "";
    }

    private static String describe(SdkServiceException e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            return aws.awsErrorDetails().errorCode() + ": " + aws.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }
}
