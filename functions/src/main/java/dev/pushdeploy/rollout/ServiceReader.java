package dev.pushdeploy.rollout;

import dev.pushdeploy.error.RunInterruptedException;
import java.util.Optional;

/** What an ECS service runs, read only: the port of the steps that never move a service (Prepare, closing a run). */
public interface ServiceReader {
    /** DescribeServices for one service; empty when the cluster or the service does not exist or is not ACTIVE. */
    Optional<ServiceState> describe(String cluster, String service);

    /**
     * The service a run works on. It existed when the run was prepared, so one that no longer does (deleted by someone
     * else during the run) interrupts the run: nothing is left to move, judge or roll back.
     */
    default ServiceState require(String cluster, String service) {
        return describe(cluster, service).orElseThrow(() -> new RunInterruptedException(cluster + "/" + service
                + " no longer exists or is not ACTIVE (deleted, or being deleted, by someone else during the run): nothing is left"
                + " to move, judge or roll back"));
    }
}
