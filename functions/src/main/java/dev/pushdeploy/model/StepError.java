package dev.pushdeploy.model;

/**
 * An error a state caught ({@code $.error}): the error name Step Functions matched (an exception's
 * class name, or {@code States.*}) and the message, already taken out of Lambda's error document.
 */
public record StepError(String name, String message) {
    /** {@code name: message}, or whichever of the two exists. */
    public String describe() {
        boolean hasName = name != null && !name.isBlank();
        boolean hasMessage = message != null && !message.isBlank();
        if (hasName && hasMessage) {
            return name + ": " + message;
        }
        return hasMessage ? message : hasName ? name : null;
    }
}
