package dev.pushdeploy.release;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.model.TaskDefinition;
import java.util.List;
import java.util.Optional;

/** The task definition revisions of ECS: read, listed per family, registered from a change, deregistered. */
public interface TaskDefinitions {
    /**
     * A revision by ARN or {@code family:revision}, or a family's newest ACTIVE revision by {@code family} alone (as ECS
     * reads it), with its tags; empty when it does not exist.
     */
    Optional<TaskDefinition> find(String reference);

    /** A revision that has to exist (the live one a request starts from): an AWS failure when it does not. */
    default TaskDefinition require(String reference) {
        return find(reference).orElseThrow(() -> new AwsFailureException("task definition " + reference + " does not exist", null));
    }

    /** ARNs of the ACTIVE revisions of exactly {@code family} (not of longer families it prefixes), newest first. */
    List<String> activeRevisions(String family);

    /** Registers the base revision with the change applied; returns the new revision. */
    TaskDefinition register(RevisionChange change);

    /** Marks an ACTIVE revision INACTIVE. */
    void deregister(String arn);
}
