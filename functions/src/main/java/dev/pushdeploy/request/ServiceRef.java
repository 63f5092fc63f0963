package dev.pushdeploy.request;

import dev.pushdeploy.error.InvalidRequestException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code <cluster>/<service>} reference from a manual input. */
public record ServiceRef(String cluster, String service) {
    private static final Pattern FORM = Pattern.compile("([A-Za-z0-9_-]{1,255})/([A-Za-z0-9_-]{1,255})");

    public static ServiceRef parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new InvalidRequestException("service", "'" + text + "' must be <cluster>/<service> (letters, digits, - and _)");
        }
        return new ServiceRef(m.group(1), m.group(2));
    }

    public String key() {
        return cluster + "/" + service;
    }
}
