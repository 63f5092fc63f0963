package dev.pushdeploy.model;

/** How the state machine says an execution ended ({@code $.result}, set by the Pass states before Finalize). */
public record Result(Outcome outcome, String reason) {
}
