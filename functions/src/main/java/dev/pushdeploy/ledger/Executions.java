package dev.pushdeploy.ledger;

import java.time.Instant;
import java.util.Optional;

/** Whether a Step Functions execution still runs (DescribeExecution). */
@FunctionalInterface
public interface Executions {
    /**
     * When the execution ended; empty while it runs. An execution that cannot be described (unknown ARN,
     * no permission) counts as running: only the lease can free its lock then.
     */
    Optional<Instant> endedAt(String executionArn);
}
