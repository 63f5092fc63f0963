package dev.pushdeploy.ops;

import dev.pushdeploy.request.Fields;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shortening text for one line without cutting a URL in two. */
public final class Text {
    private static final Pattern URL = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://\\S+");

    private Text() {
    }

    /**
     * {@code raw}, its control characters escaped ({@code \\uXXXX}: it comes from outside, a stop's cause among others), in at
     * most {@code max} characters, ending with {@code …} when shortened; a URL the cut would fall into is kept whole (the line
     * is then longer) or dropped whole when it starts at the cut.
     */
    public static String shorten(String raw, int max) {
        String text = raw == null ? null : Fields.printableOrEscaped(raw);
        if (text == null || text.length() <= max) {
            return text;
        }
        int cut = max - 1;
        Matcher url = URL.matcher(text);
        while (url.find()) {
            if (url.start() < cut && cut < url.end()) {
                cut = url.end();
                break;
            }
        }
        return cut >= text.length() ? text : text.substring(0, cut) + "…";
    }
}
