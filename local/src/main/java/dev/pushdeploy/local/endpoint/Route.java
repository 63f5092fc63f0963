package dev.pushdeploy.local.endpoint;

import java.util.Optional;

/** A part of the local endpoint that answers some requests itself; the rest go on to moto. */
@FunctionalInterface
public interface Route {
    /** The answer, or empty to let the next route (finally moto) answer. */
    Optional<AwsResponse> handle(AwsRequest request);
}
