package dev.pushdeploy.handler;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.Text;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * What a wait task's payload says of its wait: {@code retries} ({@code $$.State.RetryCount}) and {@code waitingSince}
 * ({@code $$.State.EnteredTime}, ISO 8601). An execution started before the payload said so has neither: no retries, a
 * wait just begun.
 */
final class WaitPayload {
    private WaitPayload() {
    }

    /** The task's retries so far, 0 when the payload does not say. */
    static int retries(Integer retries) {
        return retries == null ? 0 : retries;
    }

    /**
     * How long ago the wait began, 0 when the payload does not say.
     *
     * @throws InvalidRequestException naming {@code waitingSince} when it is no time
     */
    static long waitedMillis(String waitingSince, Clock clock) {
        if (waitingSince == null) {
            return 0;
        }
        try {
            return clock.millis() - OffsetDateTime.parse(waitingSince).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("waitingSince", "'" + Text.atMost(waitingSince, 64) + "' is not an ISO 8601 time");
        }
    }
}
