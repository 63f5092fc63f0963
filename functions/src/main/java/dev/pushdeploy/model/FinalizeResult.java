package dev.pushdeploy.model;

import java.util.List;

/**
 * Output of Finalize ({@code $.final}).
 *
 * @param service                {@code <cluster>/<service>}; null for a request that named none
 * @param image                  the image the request was about
 * @param taskDefinition         the service's task definition when the request finished
 * @param previousTaskDefinition the revision that was live when the request was prepared
 * @param deregistered           revisions deregistered as beyond keepRevisions
 */
public record FinalizeResult(
        Outcome outcome,
        String reason,
        String service,
        String image,
        String taskDefinition,
        String previousTaskDefinition,
        List<String> deregistered) {
    public FinalizeResult {
        deregistered = deregistered == null ? List.of() : List.copyOf(deregistered);
    }
}
