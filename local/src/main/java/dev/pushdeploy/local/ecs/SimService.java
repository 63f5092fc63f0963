package dev.pushdeploy.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A service as the simulator sees it: moto's definition plus simulated deployments, tasks and events. */
final class SimService {
    final String cluster;
    final String clusterArn;
    final String name;
    final String serviceArn;
    /** Target group ARN → the container port the service registers in it, in moto's order. */
    final Map<String, Integer> targetGroups;
    final JsonNode networkConfiguration;
    int desired;
    /** The service's Fargate platform version as created (ECS's default when none is given). */
    String platformVersion = "LATEST";
    /** The service's deploymentConfiguration as created or updated (ECS's defaults until one says otherwise). */
    boolean circuitBreaker;
    boolean circuitBreakerRollback;
    int maximumPercent = 200;
    int minimumHealthyPercent = 100;
    /** Index 0 is the PRIMARY deployment; the rest are ACTIVE. */
    final List<SimDeployment> deployments = new ArrayList<>();
    final List<SimTask> tasks = new ArrayList<>();
    /** Newest first. */
    final List<Event> events = new ArrayList<>();
    /** Oldest first. */
    final List<SimServiceDeployment> serviceDeployments = new ArrayList<>();
    /** Task definition → its service revision ARN. */
    final Map<String, String> revisions = new HashMap<>();
    final Set<String> completedRevisions = new HashSet<>();
    SimDeployment lastCompleted;
    /** The traffic-shifting strategy; null for ROLLING. */
    TrafficShift shift;
    /** With a traffic-shifting strategy: the target group the live revision's tasks are registered in. */
    String liveGroup;

    SimService(String cluster, String clusterArn, String name, String serviceArn, Map<String, Integer> targetGroups,
               JsonNode networkConfiguration) {
        this.cluster = cluster;
        this.clusterArn = clusterArn;
        this.name = name;
        this.serviceArn = serviceArn;
        this.targetGroups = Collections.unmodifiableMap(new LinkedHashMap<>(targetGroups));
        this.networkConfiguration = networkConfiguration;
    }

    String key() {
        return cluster + "/" + name;
    }

    SimDeployment primary() {
        return deployments.get(0);
    }

    boolean loadBalanced() {
        return !targetGroups.isEmpty();
    }

    boolean shiftsTraffic() {
        return shift != null && loadBalanced();
    }

    /** The group a new revision's tasks register in: the one the live revision does not use. */
    String groupForNewRevision() {
        if (!shiftsTraffic()) {
            return firstGroup();
        }
        return liveGroup.equals(shift.alternateTargetGroup()) ? firstGroup() : shift.alternateTargetGroup();
    }

    /** The target group of the service's first load balancer, or null. */
    String firstGroup() {
        return targetGroups.isEmpty() ? null : targetGroups.keySet().iterator().next();
    }

    /** Whether the service registers its tasks in the group (its own, or the alternate of its strategy). */
    boolean uses(String targetGroupArn) {
        return targetGroups.containsKey(targetGroupArn) || shiftsTraffic() && shift.alternateTargetGroup().equals(targetGroupArn);
    }

    /** The container port the service registers in a group it uses (the alternate group's is the first group's). */
    int port(String targetGroupArn) {
        return targetGroups.getOrDefault(targetGroupArn, targetGroups.get(firstGroup()));
    }

    List<SimTask> tasksOf(SimDeployment deployment) {
        return tasks.stream().filter(t -> t.deployment == deployment).toList();
    }

    /** The {@code arn:aws:ecs:<region>:<account>} prefix of the service's ARNs. */
    String arnPrefix() {
        return serviceArn.substring(0, serviceArn.indexOf(":service/"));
    }

    void event(double t, String message) {
        events.add(0, new Event(java.util.UUID.randomUUID().toString(), t, "(service " + name + ") " + message));
        if (events.size() > 100) {
            events.remove(events.size() - 1);
        }
    }

    record Event(String id, double at, String message) {
    }
}
