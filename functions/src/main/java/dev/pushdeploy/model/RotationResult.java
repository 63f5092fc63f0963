package dev.pushdeploy.model;

import java.util.List;

/** Output of the rotate step ({@code $.secrets}): the slot each managed secret moved to. */
public record RotationResult(List<SecretSlot> secrets) {
    public RotationResult {
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }
}
