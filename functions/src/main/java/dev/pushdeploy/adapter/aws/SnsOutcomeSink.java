package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.ledger.OutcomeNotice;
import dev.pushdeploy.ledger.OutcomeSink;
import dev.pushdeploy.ledger.ReleaseRecord;
import dev.pushdeploy.ledger.ReleaseSink;
import dev.pushdeploy.adapter.json.Json;
import software.amazon.awssdk.services.sns.SnsClient;

/** Publishes outcomes to the SNS topic, a run's and a release's: subject plus the JSON notice as the message. */
public final class SnsOutcomeSink implements OutcomeSink, ReleaseSink {
    private final SnsClient sns;
    private final String topicArn;

    public SnsOutcomeSink(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(OutcomeNotice notice) {
        AwsCall.exec("sns:Publish " + topicArn, () ->
                sns.publish(r -> r.topicArn(topicArn).subject(notice.subject()).message(Json.write(notice))));
    }

    @Override
    public void publish(ReleaseRecord.Notice notice) {
        AwsCall.exec("sns:Publish " + topicArn, () ->
                sns.publish(r -> r.topicArn(topicArn).subject(notice.subject()).message(Json.write(notice))));
    }
}
