package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.ledger.OutcomeNotice;
import dev.pushdeploy.ledger.OutcomeSink;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.adapter.json.Json;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/** Puts the outcome on an event bus: source {@code pushdeploy}, detail-type {@code Deployment Outcome}. */
public final class EventBridgeOutcomeSink implements OutcomeSink {
    public static final String SOURCE = "pushdeploy";
    public static final String DETAIL_TYPE = "Deployment Outcome";

    private final EventBridgeClient events;
    private final String busName;

    public EventBridgeOutcomeSink(EventBridgeClient events, String busName) {
        this.events = events;
        this.busName = busName;
    }

    @Override
    public void publish(OutcomeNotice notice) {
        String call = "events:PutEvents " + busName;
        var response = AwsCall.run(call, () -> events.putEvents(r -> r.entries(e -> e.eventBusName(busName)
                .source(SOURCE).detailType(DETAIL_TYPE).detail(Json.write(notice)))));
        if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
            PutEventsResultEntry failed = response.entries().get(0);
            String message = call + " rejected the event: " + failed.errorCode() + ": " + failed.errorMessage();
            if ("ThrottlingException".equals(failed.errorCode()) || "InternalFailure".equals(failed.errorCode())) {
                throw new TransientException(message, null);
            }
            throw new AwsFailureException(message, null);
        }
    }
}
