package dev.pushdeploy.request;

import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.ServiceReader;
import dev.pushdeploy.rollout.ServiceState;

/**
 * What a configured service runs now, read from ECS: the checks a run's Prepare and a release's Plan make alike
 * before anything starts, so a release refuses what one of its deployments would.
 */
public final class LiveServices {
    private final ServiceReader services;
    private final TaskDefinitions taskDefinitions;

    public LiveServices(ServiceReader services, TaskDefinitions taskDefinitions) {
        this.services = services;
        this.taskDefinitions = taskDefinitions;
    }

    /**
     * The live revision, the target container in it and the service's desired count; refused, naming {@code serviceField}
     * or {@code containerField}, when the service does not exist, its revision cannot be described or lacks the container.
     */
    public Live live(Target target, String serviceField, String containerField) {
        ServiceState service = services.describe(target.cluster(), target.service()).orElseThrow(() -> new InvalidRequestException(
                serviceField, target.serviceKey() + " does not exist in ECS"));
        TaskDefinition taskDefinition = taskDefinitions.find(service.taskDefinition()).orElseThrow(() -> new InvalidRequestException(
                serviceField, "the live task definition " + service.taskDefinition() + " of " + target.serviceKey() + " cannot be described"));
        Container container = taskDefinition.container(target.container()).orElseThrow(() -> new InvalidRequestException(
                containerField, target.container() + " is not a container of " + taskDefinition.shortName() + " (check the configuration)"));
        return new Live(taskDefinition, container, service.desiredCount() == null ? 0 : service.desiredCount());
    }

    public record Live(TaskDefinition taskDefinition, Container container, int desiredCount) {
        public String image() {
            return container.image();
        }

        public String digest() {
            return ImageRef.digestOf(image());
        }

        /** Whether it runs a released image (pinned by digest), not the stack's bootstrap revision. */
        public boolean released() {
            return container.released();
        }

        /**
         * A released service scaled to 0 tasks (by hand, or by Application Auto Scaling) runs nothing a rollout could be
         * judged on: the deploy would wait out its deadline and its way back too. Refused before anything changes.
         */
        public void requireTasks(Target target, String what, String field) {
            if (desiredCount == 0) {
                throw new InvalidRequestException(field, target.serviceKey() + " is scaled to 0 tasks (desired count 0 on "
                        + taskDefinition.shortName() + "), so " + what + " could not be proven healthy; scale it up and try again");
            }
        }
    }
}
