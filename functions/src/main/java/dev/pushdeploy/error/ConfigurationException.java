package dev.pushdeploy.error;

/** The pipeline configuration document is missing or invalid; the message names the field. */
public class ConfigurationException extends PushdeployException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
