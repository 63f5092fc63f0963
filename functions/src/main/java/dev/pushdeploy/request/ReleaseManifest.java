package dev.pushdeploy.request;

import java.util.List;

/**
 * A release manifest as given: the images to deploy together, one per service.
 *
 * @param services the entries in the manifest's order
 * @param reason   optional: why, for the release's record and every service's history record
 */
public record ReleaseManifest(List<Entry> services, String reason) {
    public ReleaseManifest {
        services = List.copyOf(services);
    }

    /**
     * @param service {@code <cluster>/<service>}
     * @param image   {@code [<registry>/]<repository>:<tag>} or {@code …@sha256:<64 hex>}, of the service's repository
     */
    public record Entry(String service, String image) {
    }
}
