package dev.pushdeploy.model;

/**
 * One check of a rollout ({@code $.check}).
 *
 * @param nextPollSeconds how long the state machine waits before the next check (adaptive)
 */
public record CheckResult(Verdict verdict, String reason, int nextPollSeconds, int running, int desired, int failedTasks) {
}
