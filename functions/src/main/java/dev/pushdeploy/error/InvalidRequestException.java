package dev.pushdeploy.error;

/** The input cannot be deployed as given; the message names the field and the problem. */
public class InvalidRequestException extends PushdeployException {
    private final String field;

    public InvalidRequestException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
