package dev.pushdeploy.model;

import java.util.List;

/**
 * A release: several images deployed together, one per service, each by its own execution of the
 * deployment workflow. When one does not go live, every service that moved is rolled back to the
 * revision verified live before it (by an execution of its own).
 *
 * @param release        the release's name (its execution's name)
 * @param reason         the reason every service's deployment records
 * @param rollbackReason the reason a rollback by the release records
 * @param services       one entry per service, in the manifest's order
 * @param rollBackStoppedRuns the configuration's RollBackStoppedRuns when the release was planned: whether the services it
 *                       moved go back when it is cut off (stopped, timed out) before its outcome. Null (a plan made before
 *                       the setting was kept here): the setting's default, on
 */
public record ReleasePlan(String release, String reason, String rollbackReason, List<Entry> services, Boolean rollBackStoppedRuns) {
    public ReleasePlan {
        services = List.copyOf(services);
    }

    /** Whether the services it moved go back when the release is cut off before its outcome. */
    public boolean rollsBackWhenCutOff() {
        return rollBackStoppedRuns == null || rollBackStoppedRuns;
    }

    /**
     * @param service           {@code <cluster>/<service>}
     * @param image             the image by digest ({@code <repository uri>@sha256:…}), resolved when the release was planned
     * @param execution         the name of the service's deployment execution
     * @param rollbackExecution the name of its rollback execution, should the release roll back
     */
    public record Entry(String service, String image, String execution, String rollbackExecution) {
    }
}
