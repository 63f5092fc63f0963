package dev.pushdeploy.model;

/** Output of the lock step ({@code $.lock}). */
public record LockResult(LockStatus status, String holder, String reason) {
}
