package dev.pushdeploy.release;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.model.Revisions;
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

    /**
     * An ACTIVE copy of {@code revision} (tagged {@link RevisionChange#TAG_COPY_OF} with it) among the revisions of its family
     * registered after it: read by number from the family's newest ACTIVE one down, at most {@code lookback} of them
     * (DescribeTaskDefinition alone: no listing). Found also once the revision itself is no longer described.
     */
    default Optional<TaskDefinition> keptCopy(String revision, int lookback) {
        String family = Revisions.family(revision);
        Optional<TaskDefinition> newest = find(family);
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        int oldest = Math.max(Revisions.revision(revision) + 1, newest.get().revision() - lookback + 1);
        for (int number = newest.get().revision(); number >= oldest; number--) {
            Optional<TaskDefinition> candidate = number == newest.get().revision() ? newest : find(family + ":" + number);
            if (candidate.isPresent() && candidate.get().active() && RevisionChange.isCopyOf(candidate.get(), revision)) {
                return candidate;
            }
        }
        return Optional.empty();
    }

    /** ARNs of the ACTIVE revisions of exactly {@code family} (not of longer families it prefixes), newest first. */
    List<String> activeRevisions(String family);

    /** Registers the base revision with the change applied; returns the new revision. */
    TaskDefinition register(RevisionChange change);

    /** Marks an ACTIVE revision INACTIVE. */
    void deregister(String arn);
}
