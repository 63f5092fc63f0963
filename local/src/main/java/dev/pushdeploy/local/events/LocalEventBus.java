package dev.pushdeploy.local.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.run.EventRule;
import dev.pushdeploy.local.time.Agenda;
import dev.pushdeploy.local.time.TimeKeeper;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The default event bus of the local stack, as EventBridge runs it: every event put on it is
 * matched against the template's rules with AWS's matcher (event-ruler), and each matching rule's
 * targets receive it {@value #LATENCY_MILLIS} ms of simulated time later (EventBridge's typical
 * delivery latency). A failed delivery is retried by its target's {@link TargetPolicy}: a function's
 * errors as Lambda's asynchronous invocation retries them (its EventInvokeConfig; then an invocation
 * record to its on-failure destination), any other target's as EventBridge does (its RetryPolicy; then
 * the event to its dead-letter queue); without a queue it is dropped (with a log line). Deliveries
 * run on their own threads, concurrently, and count as work in progress for the {@link TimeKeeper}.
 */
public final class LocalEventBus implements Agenda {
    public static final long LATENCY_MILLIS = 500;
    /**
     * Deliveries at once. EventBridge invokes a Lambda target once per event, each invocation concurrent with the
     * others; with 4, 50 rollouts of 60 s ending together under throttling waited for each other's checks: the
     * verdict came 17 s (median) after ECS's event, 3.3 s with 64.
     */
    static final int DELIVERY_THREADS = 64;
    private static final int HISTORY = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

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
            RuleSpec rule = rules.get(p.rule());
            TargetPolicy policy = rule == null ? TargetPolicy.forTarget(p.target()) : rule.policy(p.target());
            int retry = p.attempt() + 1;
            long at = clock.millis() + (retry <= policy.retries() ? policy.delayMillis(retry) : 0);
            if (retry <= policy.retries() && at - p.publishedAt() <= policy.maxAgeSeconds() * 1000) {
                log.accept("event bus: rule " + p.rule() + " → " + p.target() + " failed (" + e.getMessage() + "); retrying in "
                        + (at - clock.millis()) / 1000.0 + " s");
                synchronized (this) {
                    pending.add(new Pending(at, p.publishedAt(), order.incrementAndGet(), p.rule(), p.target(), p.event(), p.eventId(),
                            retry));
                }
                keeper.wake();
            } else {
                record(p, true, e.getMessage() + deadLetter(p, policy, e));
            }
        }
    }

    /**
     * Hands what failed every attempt to the target's dead-letter queue (the event itself) or, for a function, its
     * on-failure destination (Lambda's invocation record of it); answers what became of it, for the delivery's record.
     */
    private String deadLetter(Pending p, TargetPolicy policy, Exception failure) {
        String how = "failed " + (p.attempt() + 1) + " times";
        if (policy.deadLetterArn() == null) {
            log.accept("event bus: rule " + p.rule() + " → " + p.target() + " " + how + "; event dropped: " + failure.getMessage());
            return "; dropped";
        }
        String body = policy.function() ? invocationRecord(p, failure) : p.event();
        try {
            target.deliver(policy.deadLetterArn(), body);
            log.accept("event bus: rule " + p.rule() + " → " + p.target() + " " + how + "; sent to " + policy.deadLetterArn());
            return "; sent to " + policy.deadLetterArn();
        } catch (Exception lost) {
            log.accept("event bus: rule " + p.rule() + " → " + p.target() + " " + how + " and its dead-letter queue "
                    + policy.deadLetterArn() + " refused it (" + lost.getMessage() + "); event dropped");
            return "; dropped (dead-letter queue: " + lost.getMessage() + ")";
        }
    }

    /** Lambda's record of an asynchronous invocation that failed every attempt, as its on-failure destination receives it. */
    private String invocationRecord(Pending p, Exception failure) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.put("version", "1.0");
        record.put("timestamp", Instant.ofEpochMilli(clock.millis()).toString());
        ObjectNode context = record.putObject("requestContext");
        context.put("requestId", UUID.randomUUID().toString());
        context.put("functionArn", p.target());
        context.put("condition", "RetriesExhausted");
        context.put("approximateInvokeCount", p.attempt() + 1);
        try {
            record.set("requestPayload", JSON.readTree(p.event()));
        } catch (Exception notJson) {
            record.put("requestPayload", p.event());
        }
        ObjectNode response = record.putObject("responseContext");
        response.put("statusCode", 200);
        response.put("executedVersion", "$LATEST");
        response.put("functionError", "Unhandled");
        record.putObject("responsePayload").put("errorMessage", String.valueOf(failure.getMessage()));
        return record.toString();
    }

    private synchronized void record(Pending p, boolean failed, String answer) {
        delivered.add(new Delivery(p.rule(), p.target(), p.eventId(), p.publishedAt(), clock.millis(), p.attempt() + 1, failed,
                answer));
        if (delivered.size() > HISTORY) {
            delivered.remove(0);
        }
    }
}
