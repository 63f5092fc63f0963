package dev.pushdeploy.rollout;

import java.util.Optional;

/** What an ECS service runs, read only: the port of the steps that never move a service (Prepare, closing a run). */
public interface ServiceReader {
    /** DescribeServices for one service; empty when the cluster or the service does not exist or is not ACTIVE. */
    Optional<ServiceState> describe(String cluster, String service);
}
