package dev.pushdeploy.local.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.run.EventRule;
import dev.pushdeploy.local.time.Agenda;
import dev.pushdeploy.local.time.TimeKeeper;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The default event bus of the local stack, as EventBridge runs it: every event put on it is
 * matched against the template's rules with AWS's matcher (event-ruler), and each matching rule's
 * targets receive it {@value #LATENCY_MILLIS} ms of simulated time later (EventBridge's typical
 * delivery latency). A failed delivery is retried, as EventBridge and Lambda's asynchronous
 * invocation do, after 1 and then 2 simulated minutes, then dropped (with a log line). Deliveries
 * run on their own threads, concurrently, and count as work in progress for the {@link TimeKeeper}.
 */
public final class LocalEventBus implements Agenda {
    public static final long LATENCY_MILLIS = 500;
    static final long[] RETRY_DELAYS_MILLIS = {60_000, 120_000};
    /**
     * Deliveries at once. EventBridge invokes a Lambda target once per event, each invocation concurrent with the
     * others; with 4, 50 rollouts of 60 s ending together under throttling waited for each other's checks: the
     * verdict came 17 s (median) after ECS's event, 3.3 s with 64.
     */
    static final int DELIVERY_THREADS = 64;
    private static final int HISTORY = 10_000;

    /** Hands an event to one target (by its ARN) and answers what the target said; throws when the target failed. */
    @FunctionalInterface
    public interface Target {
        String deliver(String targetArn, String event) throws Exception;
    }

    /** An event put on the bus, when (simulated epoch millis) and which rules matched it. */
    public record Published(long at, ObjectNode event, List<String> rules) {
    }

    /**
     * The last attempt to hand an event to one target of a rule.
     *
     * @param publishedAt when the event was put on the bus (simulated epoch millis)
     * @param deliveredAt when the target answered
     * @param attempts    how many attempts it took (or were made, when it failed)
     * @param answer      the target's answer, or the error of the last attempt
     */
    public record Delivery(String rule, String target, String eventId, long publishedAt, long deliveredAt, int attempts,
                           boolean failed, String answer) {
    }

    private record Pending(long at, long publishedAt, long order, String rule, String target, String event, String eventId,
                           int attempt) {
    }

    private volatile Map<String, RuleSpec> rules = Map.of();
    private volatile EventRule matcher = new EventRule(Map.of());
    private final Clock clock;
    private final TimeKeeper keeper;
    private final Target target;
    private final Consumer<String> log;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>(
            (a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at()) : Long.compare(a.order(), b.order()));
    private final List<Published> published = new ArrayList<>();
    private final List<Delivery> delivered = new ArrayList<>();
    private final AtomicLong order = new AtomicLong();
    private final ExecutorService deliveries = Executors.newFixedThreadPool(DELIVERY_THREADS, r -> {
        Thread t = new Thread(r, "event-delivery");
        t.setDaemon(true);
        return t;
    });

    public LocalEventBus(List<RuleSpec> rules, Clock clock, TimeKeeper keeper, Target target, Consumer<String> log) {
        rules(rules);
        this.clock = clock;
        this.keeper = keeper;
        this.target = target;
        this.log = log;
    }

    /** PutEvents: matches the event now and schedules its deliveries; answers the names of the matching rules. */
    public List<String> put(ObjectNode event) {
        String text = event.toString();
        List<String> matched = matcher.matching(text);
        long now = clock.millis();
        synchronized (this) {
            published.add(new Published(now, event, matched));
            if (published.size() > HISTORY) {
                published.remove(0);
            }
            for (String rule : matched) {
                for (String arn : rules.get(rule).targets()) {
                    pending.add(new Pending(now + LATENCY_MILLIS, now, order.incrementAndGet(), rule, arn, text,
                            event.path("id").asText(), 0));
                }
            }
        }
        if (!matched.isEmpty()) {
            keeper.wake();
        }
        return matched;
    }

    /** Replaces the rules (a new deployment of the stack). */
    public synchronized void rules(List<RuleSpec> specs) {
        Map<String, RuleSpec> byName = new LinkedHashMap<>();
        Map<String, String> patterns = new LinkedHashMap<>();
        for (RuleSpec rule : specs) {
            byName.put(rule.name(), rule);
            patterns.put(rule.name(), rule.pattern());
        }
        rules = Map.copyOf(byName);
        matcher = new EventRule(patterns);
    }

    /** The rules an event matches, without putting it on the bus. */
    public List<String> matching(String event) {
        return matcher.matching(event);
    }

    public RuleSpec rule(String name) {
        return rules.get(name);
    }

    /** Every event put on the bus since the last {@link #reset()} (at most the last {@value #HISTORY}), oldest first. */
    public synchronized List<Published> published() {
        return List.copyOf(published);
    }

    /** The outcome of every delivery since the last {@link #reset()} (at most the last {@value #HISTORY}), in order. */
    public synchronized List<Delivery> delivered() {
        return List.copyOf(delivered);
    }

    /** Forgets pending deliveries, the published events and the deliveries. */
    public synchronized void reset() {
        pending.clear();
        published.clear();
        delivered.clear();
    }

    @Override
    public synchronized OptionalLong nextAt() {
        Pending first = pending.peek();
        return first == null ? OptionalLong.empty() : OptionalLong.of(first.at());
    }

    @Override
    public void runUntil(long nowMillis) {
        List<Pending> due = new ArrayList<>();
        synchronized (this) {
            while (!pending.isEmpty() && pending.peek().at() <= nowMillis) {
                due.add(pending.poll());
            }
        }
        for (Pending p : due) {
            TimeKeeper.Activity activity = keeper.busy();
            deliveries.execute(() -> {
                try (activity) {
                    deliver(p);
                }
            });
        }
    }

    private void deliver(Pending p) {
        try {
            String answer = target.deliver(p.target(), p.event());
            record(p, false, answer);
        } catch (Exception e) {
            if (p.attempt() < RETRY_DELAYS_MILLIS.length) {
                log.accept("event bus: rule " + p.rule() + " → " + p.target() + " failed (" + e.getMessage() + "); retrying in "
                        + RETRY_DELAYS_MILLIS[p.attempt()] / 1000 + " s");
                synchronized (this) {
                    pending.add(new Pending(clock.millis() + RETRY_DELAYS_MILLIS[p.attempt()], p.publishedAt(),
                            order.incrementAndGet(), p.rule(), p.target(), p.event(), p.eventId(), p.attempt() + 1));
                }
                keeper.wake();
            } else {
                log.accept("event bus: rule " + p.rule() + " → " + p.target() + " failed " + (p.attempt() + 1)
                        + " times; event dropped: " + e.getMessage());
                record(p, true, e.getMessage());
            }
        }
    }

    private synchronized void record(Pending p, boolean failed, String answer) {
        delivered.add(new Delivery(p.rule(), p.target(), p.eventId(), p.publishedAt(), clock.millis(), p.attempt() + 1, failed,
                answer));
        if (delivered.size() > HISTORY) {
            delivered.remove(0);
        }
    }
}
