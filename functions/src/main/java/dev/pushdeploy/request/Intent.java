package dev.pushdeploy.request;

import java.time.Instant;

/** What a raw input asks for, after its shape has been validated and before AWS is consulted. */
public sealed interface Intent {
    /** An input that is not valid: the reason names the field and the problem. */
    record Invalid(String reason) implements Intent {
    }

    /** An input that needs no work (an ECR event that is not a successful push). */
    record Skip(String reason) implements Intent {
    }

    /**
     * A successful ECR push; {@code tag} may be null (pushed by digest). {@code at} is the event's time, when the push
     * (or the tagging of an image pushed before) happened; null when the event has none.
     */
    record Push(String repository, String digest, String tag, Instant at) implements Intent {
    }

    /** Manual deploy; {@code service} may be null (the repository's target). */
    record Deploy(ServiceRef service, ImageRef image, String reason) implements Intent {
    }

    /**
     * Manual rollback; {@code to} is null for "previous", else a task definition ARN or family:revision.
     * {@code undoes}, when given, names the run (its execution name) this rollback undoes: a release rolling
     * back a service it moved. That run's history record then tells the whole story, and this run writes no
     * record of its own.
     */
    record Rollback(ServiceRef service, String to, String reason, String undoes) implements Intent {
    }

    /** Manual secret rotation with the live image. */
    record Rotate(ServiceRef service, String reason) implements Intent {
    }
}
