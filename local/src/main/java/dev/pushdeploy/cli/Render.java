package dev.pushdeploy.cli;

import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.ops.Reports;
import dev.pushdeploy.ops.Text;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The operator reports as lines for people. */
final class Render {
    private static final int REASON_WIDTH = 160;

    private Render() {
    }

    static final String NOT_KEPT = "not kept yet: the repository's lifecycle policy may expire it (the pipeline tags it"
            + " at the end of the next run)";

    /** What the live image's state in ECR breaks, or null when nothing. */
    static String imageWarning(String imageStatus) {
        String cannot = ": no new task of it can start, nor can a rotation";
        return imageStatus == null ? null : switch (imageStatus) {
            case Reports.Live.IMAGE_GONE -> "no longer in ECR (deleted, or expired by the repository's lifecycle policy)" + cannot
                    + "; deploy an image";
            case "ARCHIVED" -> "archived in ECR (ARCHIVED)" + cannot + "; restore it to the standard storage class, or push it again";
            case "ACTIVATING" -> "being restored from ECR's archive (ACTIVATING)" + cannot + " until it is ACTIVE";
            default -> null;
        };
    }

    /** What the live revision's status in ECS means for its way back, or null when it is ACTIVE (or unknown). */
    static String revisionWarning(String revisionStatus) {
        String next = ": ECS moves no service back to it; the next deploy registers a copy of it as its way back";
        return revisionStatus == null ? null : switch (revisionStatus) {
            case "INACTIVE" -> "deregistered (INACTIVE)" + next;
            case "DELETE_IN_PROGRESS" -> "deleted (DELETE_IN_PROGRESS), gone once the service leaves it" + next;
            default -> null;
        };
    }

    static void status(Output o, Reports.Status s) {
        o.line(o.paint(s.service(), Output.Colour.BOLD) + "  (stack " + s.stack() + ")");
        Reports.Live live = s.live();
        if (live == null) {
            o.line(row("live", "the service does not exist in ECS"));
        } else if (!live.released()) {
            o.line(row("live", "no release yet: " + live.revision() + " is the stack's bootstrap revision (" + live.image()
                    + "); the first push of a matching tag is the first release"));
        } else {
            String revisionWarning = revisionWarning(live.revisionStatus());
            o.line(row("live", live.revision() + (live.release() == null ? "" : "  (release " + live.release() + ")")
                    + (live.copyOf() == null ? "" : "  " + Revisions.shortName(live.copyOf()) + " registered again: it had been deregistered")
                    + (revisionWarning == null ? "" : "  " + o.paint(revisionWarning, Output.Colour.YELLOW))));
            String warning = imageWarning(live.imageStatus());
            o.line(row("image", (live.tags().isEmpty() ? "untagged" : String.join(", ", live.tags())) + "  " + shortDigest(live.digest())
                    + (warning != null ? "  " + o.paint(warning, Output.Colour.RED)
                    : Boolean.FALSE.equals(live.kept()) ? "  " + o.paint(NOT_KEPT, Output.Colour.YELLOW) : "")));
            if (!live.secrets().isEmpty()) {
                o.line(row("secrets", live.secrets().stream().map(x -> x.name() + " slot " + (x.slot() == null ? "?" : x.slot())
                        + (x.username() == null ? "" : " (" + x.username() + ")")).collect(Collectors.joining(" · "))));
            }
        }
        Reports.Health h = s.health();
        if (h != null) {
            String targets = h.targets() == null ? "" : " · " + h.healthyTargets() + "/" + h.targets() + " targets healthy";
            o.line(row("health", o.outcome(h.rolloutState()) + "  " + h.running() + "/" + h.desired() + " running"
                    + (h.pending() > 0 ? ", " + h.pending() + " pending" : "") + (h.failedTasks() > 0 ? ", " + h.failedTasks() + " failed" : "")
                    + targets + (h.deployments() > 1 ? " · " + h.deployments() + " deployments" : "")));
            if (h.strategy() != null) {
                o.line(row("strategy", strategyName(h.strategy())));
            }
            if (h.rolloutReason() != null && !h.rolloutReason().isBlank()) {
                o.line(row("", Text.shorten(h.rolloutReason(), REASON_WIDTH)));
            }
        }
        if (s.running().isEmpty()) {
            o.line(row("in flight", "nothing"));
        }
        for (Reports.Run run : s.running()) {
            o.line(row(run == s.running().get(0) ? "in flight" : "", run.name() + "  " + (run.state() == null ? "" : run.state() + "  ")
                    + String.format(Locale.ROOT, "%.0f s", run.seconds())));
        }
        o.line(row("lock", s.lock() == null ? "free" : "held by " + s.lock().request() + " (" + s.lock().action() + ") since "
                + s.lock().since() + (s.lock().expired() ? ", lapsed at "
                        : s.lock().kept() ? ", its run ended; kept until " : ", lease until ") + s.lock().expiresAt()));
        if (!s.queue().isEmpty()) {
            o.line(row("queue", s.queue().stream().map(w -> w.request() + " (" + w.action() + (w.expired() ? ", lapsed" : "") + ")")
                    .collect(Collectors.joining(", "))));
        }
        if (s.recent().isEmpty()) {
            o.line(row("recent", "no deployment recorded yet"));
        }
        for (Reports.Entry e : s.recent()) {
            String reach = reach(e);
            o.line(row(e == s.recent().get(0) ? "recent" : "", time(e.finishedAt()) + "  " + outcome(o, e.outcome(), 15) + " " + pad(image(e), 14)
                    + " " + e.revision() + (reach == null ? "" : "  " + reach)));
        }
    }

    static void history(Output o, List<Reports.Entry> entries) {
        if (entries.isEmpty()) {
            o.line("no deployment recorded yet");
            return;
        }
        o.line(o.paint(String.format(Locale.ROOT, "%-19s  %-15s %-9s %-14s %-10s %8s  %s", "FINISHED (UTC)", "OUTCOME", "ACTION",
                "IMAGE", "REVISION", "TOOK", "EXECUTION"), Output.Colour.BOLD));
        for (Reports.Entry e : entries) {
            o.line(String.format(Locale.ROOT, "%-19s  %s %-9s %-14s %-10s %8s  %s", time(e.finishedAt()), outcome(o, e.outcome(), 15),
                    e.action(), image(e), e.revision(), e.seconds() == null ? "-" : String.format(Locale.ROOT, "%.1fs", e.seconds()),
                    e.execution()));
            String reach = reach(e);
            if (reach != null) {
                o.line(o.paint("    " + reach, Output.Colour.DIM));
            }
            if (e.reason() != null && !e.reason().isBlank()) {
                o.line(o.paint("    " + Text.shorten(e.reason(), REASON_WIDTH), Output.Colour.DIM));
            }
        }
    }

    static void diff(Output o, Reports.Diff d) {
        if (!d.decision().equals("PROCEED")) {
            o.line(d.service() + ": a deploy of " + (d.image() == null ? "this image" : d.image()) + " would end "
                    + o.outcome(d.decision()) + ": " + Text.shorten(d.reason(), REASON_WIDTH * 2));
            o.line("(nothing would be registered; nothing was written)");
            return;
        }
        o.line(o.paint(d.service() + ": " + d.live() + " (live) → " + d.next() + " (would be registered)", Output.Colour.BOLD));
        int width = d.changes().stream().mapToInt(c -> c.field().length()).max().orElse(10);
        for (Reports.Change c : d.changes()) {
            String field = pad(c.field(), width);
            if (c.live() == null) {
                o.line(o.paint("+ " + field, Output.Colour.GREEN) + "  " + c.next());
            } else if (c.next() == null) {
                o.line(o.paint("- " + field, Output.Colour.RED) + "  " + c.live());
            } else {
                o.line(o.paint("~ " + field, Output.Colour.YELLOW) + "  " + c.live() + "  →  " + c.next());
            }
        }
        o.line("(" + d.unchanged() + " fields unchanged; a preview: nothing was registered or written)");
    }

    /** How far the entry's rollout got: "canary, reached BAKE_TIME, production traffic up to 10 %"; null without a rollout. */
    static String reach(Reports.Entry e) {
        if (e.strategy() == null) {
            return null;
        }
        return strategyName(e.strategy()) + (e.stage() == null ? "" : ", reached " + e.stage())
                + (e.maxProductionPercent() == null ? "" : ", production traffic up to " + percent(e.maxProductionPercent()));
    }

    private static String strategyName(String strategy) {
        return strategy.toLowerCase(Locale.ROOT).replace('_', '/');
    }

    private static String percent(double value) {
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value)) + " %";
    }

    private static String row(String label, String value) {
        return String.format(Locale.ROOT, "  %-10s %s", label, value);
    }

    private static String image(Reports.Entry e) {
        if (e.tag() != null) {
            return e.tag();
        }
        return e.digest() == null ? "-" : shortDigest(e.digest());
    }

    private static String shortDigest(String digest) {
        return digest == null ? "-" : digest.length() > 19 ? digest.substring(0, 19) + "…" : digest;
    }

    private static String time(String iso) {
        return iso == null ? "-" : iso.replace('T', ' ').replaceAll("\\.\\d+Z$|Z$", "");
    }

    private static String outcome(Output o, String outcome, int width) {
        String value = outcome == null ? "-" : outcome;
        return o.outcome(value) + " ".repeat(Math.max(0, width - value.length()));
    }

    private static String pad(String text, int width) {
        String value = text == null ? "-" : text;
        return value.length() >= width ? value : value + " ".repeat(width - value.length());
    }
}
