package dev.pushdeploy.model;

import java.util.List;

/**
 * A release: several images deployed together, one per service, each by its own execution of the
 * deployment workflow; all of them go live or all go back to what was verified live before.
 *
 * @param release  the release's name (its execution's name)
 * @param reason   why, for every service's history record
 * @param services one entry per service, in the manifest's order
 */
public record ReleasePlan(String release, String reason, List<Entry> services) {
    public ReleasePlan {
        services = List.copyOf(services);
    }

    /**
     * @param service   {@code <cluster>/<service>}
     * @param image     the image by digest ({@code <repository uri>@sha256:…}), resolved when the release was planned
     * @param execution the name of the service's deployment execution
     */
    public record Entry(String service, String image, String execution) {
    }
}
