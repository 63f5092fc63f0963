package dev.pushdeploy.cli;

import dev.pushdeploy.ops.StateLine;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * State lines as people read them: a polling loop that keeps getting the same answer prints it
 * once, then one line saying how often it came again. A state's line is "the same" when its
 * detail is, ignoring how long a Wait waited.
 */
final class PollLines implements Consumer<StateLine> {
    private static final Pattern WAITED = Pattern.compile("waited [0-9.]+ s");

    private final Consumer<String> sink;
    private final Map<String, String> lastDetail = new HashMap<>();
    private int repeated;
    private StateLine lastRepeated;

    PollLines(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public void accept(StateLine line) {
        String detail = WAITED.matcher(line.detail()).replaceAll("waited");
        if (detail.equals(lastDetail.get(line.state()))) {
            if (line.kind().equals("Task")) {
                repeated++;
                lastRepeated = line;
            }
            return;
        }
        flush();
        lastDetail.put(line.state(), detail);
        sink.accept(line.format());
    }

    /** Reports the repeats not yet reported (call at the end too). */
    void flush() {
        if (repeated > 0) {
            sink.accept(String.format(Locale.ROOT, "%7.1fs  %-24s (the same %d more time%s)", lastRepeated.seconds(),
                    lastRepeated.state(), repeated, repeated == 1 ? "" : "s"));
        }
        repeated = 0;
        lastRepeated = null;
    }
}
