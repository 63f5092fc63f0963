package dev.pushdeploy.model;

/**
 * The revision a request deploys ({@code $.release}).
 *
 * @param created false when an earlier attempt of the same request had already registered it
 */
public record Release(String taskDefinition, String family, int revision, String image, boolean created) {
}
