package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Revisions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The revisions a service's history saw healthy and live, newest record first. Pure: where a rollback
 * goes and which revisions keep-N keeps are read from here, never from revision numbers.
 *
 * @param newestFirst one entry per record that verified a revision (the same revision may appear often)
 */
public record VerifiedRevisions(List<Entry> newestFirst) {
    public VerifiedRevisions {
        newestFirst = List.copyOf(newestFirst);
    }

    /**
     * What one history record verified.
     *
     * @param from     the revision a SUCCEEDED deploy or rotation moved away from: live and serving until it
     *                 verified its successor (null for other outcomes, and for rollbacks, which leave it on purpose)
     * @param verified the revision the request saw healthy and live at its end (SUCCEEDED: the new one;
     *                 ROLLED_BACK: the one it returned to)
     */
    public record Entry(String from, String verified) {
    }

    public static VerifiedRevisions none() {
        return new VerifiedRevisions(List.of());
    }

    /**
     * The rollback target of "previous" while {@code live} runs: the revision that was live before
     * {@code live} first was. The timeline lists each revision once, where it was first seen live; if
     * {@code live} is on it, the entry before it, else (a revision the pipeline never verified, e.g. one
     * a stack update registered) the newest entry that is not {@code live}. A revision that was rolled
     * back is never on the timeline. Going back to A from B verifies A again without moving A in the
     * timeline, so a repeated "previous" walks further back instead of flipping between two revisions.
     */
    public Optional<String> previousOf(String live) {
        List<String> timeline = timeline();
        int at = indexOf(timeline, live);
        if (at >= 0) {
            return at == 0 ? Optional.empty() : Optional.of(timeline.get(at - 1));
        }
        for (int i = timeline.size() - 1; i >= 0; i--) {
            if (!Revisions.same(timeline.get(i), live)) {
                return Optional.of(timeline.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * Every revision "previous" can reach from {@code live}, walking back one step at a time: the
     * possible rollback targets, nearest first.
     */
    public List<String> rollbackTargets(String live) {
        List<String> targets = new ArrayList<>();
        Optional<String> next = previousOf(live);
        while (next.isPresent() && indexOf(targets, next.get()) < 0) {
            targets.add(next.get());
            next = previousOf(next.get());
        }
        return targets;
    }

    /** Whether some record saw {@code revision} healthy and live. */
    public boolean verified(String revision) {
        return newestFirst.stream().anyMatch(entry -> Revisions.same(entry.verified(), revision));
    }

    /** The {@code n} most recently verified distinct revisions ({@code family:revision}), newest first. */
    public Set<String> newest(int n) {
        Set<String> newest = new LinkedHashSet<>();
        for (Entry entry : newestFirst) {
            if (newest.size() >= n) {
                break;
            }
            newest.add(Revisions.shortName(entry.verified()));
        }
        return newest;
    }

    /**
     * Each revision once, in the order it was first seen live (oldest first): a SUCCEEDED request's
     * starting revision, then what it verified.
     */
    private List<String> timeline() {
        List<String> timeline = new ArrayList<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            Entry entry = newestFirst.get(i);
            for (String revision : new String[] {entry.from(), entry.verified()}) {
                if (revision != null && indexOf(timeline, revision) < 0) {
                    timeline.add(revision);
                }
            }
        }
        return timeline;
    }

    private static int indexOf(List<String> timeline, String revision) {
        for (int i = 0; i < timeline.size(); i++) {
            if (Revisions.same(timeline.get(i), revision)) {
                return i;
            }
        }
        return -1;
    }
}
