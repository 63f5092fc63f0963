package dev.pushdeploy.request;

import dev.pushdeploy.error.InvalidRequestException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the pipeline runs: the account and region of its own execution. Events and ARNs from
 * anywhere else are not ours to act on.
 */
public record Pipeline(String partition, String region, String account) {
    private static final Pattern EXECUTION_ARN = Pattern.compile("arn:(aws[a-z-]*):states:([a-z0-9-]+):(\\d{12}):execution:[^:]+:[^:]+");

    public static Pipeline ofExecution(String executionArn) {
        Matcher m = executionArn == null ? null : EXECUTION_ARN.matcher(executionArn);
        if (m == null || !m.matches()) {
            throw new InvalidRequestException("executionArn", "'" + executionArn + "' is not a Step Functions execution ARN");
        }
        return new Pipeline(m.group(1), m.group(2), m.group(3));
    }

    /** Rejects an account and region that are not the pipeline's; {@code what} names their owner in the message. */
    public void requireOwn(String field, String what, String account, String region) {
        if (!this.account.equals(account) || !this.region.equals(region)) {
            throw new InvalidRequestException(field, what + " is in account " + account + ", region " + region
                    + "; the pipeline runs in account " + this.account + ", region " + this.region);
        }
    }
}
