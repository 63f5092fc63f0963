package dev.pushdeploy.ledger;

import java.util.List;

/**
 * A release's own history record, beside each service's: how the release ended and where it left
 * every service. The release workflow writes it in its Record state; the reconciler writes it for a
 * release that ended without that state (stopped, timed out, failed by a service limit), and from the
 * release's own summary for one whose Record state failed every attempt.
 *
 * @param release     the release's name (its execution's name)
 * @param outcome     SUCCEEDED, ROLLED_BACK or FAILED from the workflow (and from the reconciler writing what its
 *                    Record state did not); ABORTED, TIMED_OUT or FAILED from the reconciler
 * @param reason      the release's reason
 * @param cause       how it ended, when it ended without its Record state; why the reconciler wrote it, when that
 *                    state failed
 * @param execution   the release execution's ARN
 * @param recordedBy  who wrote it: the workflow leaves it out, the reconciler names itself
 * @param published   whether its notification was sent (claimed before it is sent)
 */
public record ReleaseRecord(String release, String outcome, String reason, String cause, List<ServiceEnd> services,
                            String execution, String recordedAt, String recordedBy, boolean published) {
    public ReleaseRecord {
        services = services == null ? List.of() : List.copyOf(services);
    }

    /**
     * One service of the release as the release left it, in the release workflow's own terms.
     *
     * @param deployment        how its deployment execution ended (its status, or the outcome it failed with;
     *                          NOT_STARTED when none was started)
     * @param state             LIVE, UNCHANGED, BACK, ROLLING_BACK, ROLLED_BACK, SUPERSEDED or UNVERIFIED
     * @param rollback          what the way back did, when the release moved the service
     * @param rollbackExecution the execution that takes it back, when one was started
     * @param rollbackTo        the revision live before the release moved it
     * @param rolledBackTo      the revision the release's own rollback took it to (ROLLED_BACK by the workflow)
     * @param live              the later revision it was left on (SUPERSEDED by the workflow)
     */
    public record ServiceEnd(String service, String image, String execution, String deployment, String state, String rollback,
                             String rollbackExecution, String rollbackTo, String rolledBackTo, String live) {
        /** An entry the reconciler makes, which names the revision to go back to only. */
        public ServiceEnd(String service, String image, String execution, String deployment, String state, String rollback,
                          String rollbackExecution, String rollbackTo) {
            this(service, image, execution, deployment, state, rollback, rollbackExecution, rollbackTo, null, null);
        }
    }

    /** The record as published: subject and body of the release's notification. */
    public Notice notice() {
        return new Notice(release, outcome, reason, cause, services);
    }

    /** What the release's notification says: what its record says, without the bookkeeping. */
    public record Notice(String release, String outcome, String reason, String cause, List<ServiceEnd> services) {
        /** SNS subject, as the workflow's own: ASCII, fewer than 100 characters (SNS refuses a Subject of 100). */
        public String subject() {
            String subject = ("pushdeploy release " + release + ": " + outcome).replaceAll("[^\\x20-\\x7E]", "?");
            return subject.length() < OutcomeNotice.SUBJECT_LIMIT ? subject : subject.substring(0, OutcomeNotice.SUBJECT_LIMIT - 1);
        }
    }
}
