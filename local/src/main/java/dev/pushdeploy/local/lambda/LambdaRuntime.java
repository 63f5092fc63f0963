package dev.pushdeploy.local.lambda;

import dev.pushdeploy.local.endpoint.Gate;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.endpoint.AwsRequest;
import dev.pushdeploy.local.endpoint.AwsResponse;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.endpoint.Route;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API for the template's functions, run in this JVM: each function's handler
 * class is built under the function's environment (as system properties, which {@code Env} reads)
 * with its public constructor taking a {@link Clock} (the runtime's simulated clock) when it has
 * one, else its no-arg constructor; kept warm in a small pool, and called through
 * {@code handleRequest(InputStream, OutputStream, Context)}. An exception becomes Lambda's
 * error answer: HTTP 200, {@code X-Amz-Function-Error: Unhandled},
 * {@code {"errorType": <class name>, "errorMessage": ...}}; a handler still running at its function's
 * {@code Timeout} (wall time, building the handler not counted) gets Lambda's timeout error instead.
 */
public final class LambdaRuntime implements Route {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    private static final Pattern INVOKE_PATH = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");
    private static final Object ENVIRONMENT_LOCK = new Object();
    /** The error type of an invocation that ran into its function's timeout, as Lambda reports it. */
    public static final String TIMED_OUT = "Sandbox.Timedout";

    private volatile Map<String, FunctionSpec> functions;
    private final Set<String> environmentNames = ConcurrentHashMap.newKeySet();
    private final Map<String, Deque<RequestStreamHandler>> warm = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicLong> billedMillis = new ConcurrentHashMap<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Hold> holds = new CopyOnWriteArrayList<>();
    private final Object idle = new Object();
    private int inFlight;
    private final Consumer<String> log;
    private final Clock clock;

    /**
     * @param functions the template's functions
     * @param log       receives every line the handlers log, prefixed with the function name
     * @param clock     the time the handlers read
     */
    public LambdaRuntime(Collection<FunctionSpec> functions, Consumer<String> log, Clock clock) {
        this.log = log;
        this.clock = clock;
        deploy(functions);
    }

    /** Replaces the functions (a new deployment of the stack): warm instances are dropped. */
    public synchronized void deploy(Collection<FunctionSpec> specs) {
        Map<String, FunctionSpec> byName = new LinkedHashMap<>();
        specs.forEach(f -> {
            byName.put(f.name(), f);
            environmentNames.addAll(f.environment().keySet());
        });
        functions = Map.copyOf(byName);
        warm.clear();
    }

    /** Adds one function, or replaces the one of that name (its warm instances dropped); the others stay. */
    public synchronized void deploy(FunctionSpec spec) {
        Map<String, FunctionSpec> byName = new LinkedHashMap<>(functions);
        byName.put(spec.name(), spec);
        environmentNames.addAll(spec.environment().keySet());
        functions = Map.copyOf(byName);
        warm.remove(spec.name());
    }

    /** The ARN of a local function, as the state machine's substitutions name it. */
    public static String arn(String function) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + function;
    }

    public Collection<FunctionSpec> functions() {
        return functions.values();
    }

    /** Makes a later invocation fail (see {@link Fault}). */
    public void inject(Fault fault) {
        if (!functions.containsKey(fault.function())) {
            throw new IllegalArgumentException("no function " + fault.function() + " in the template");
        }
        faults.add(fault);
    }

    /**
     * Holds a later invocation before its handler runs, until {@link Hold#release()}: the state machine sees
     * a Task in flight (for a StopExecution in the middle of a step).
     */
    public Hold hold(String function, int invocation) {
        if (!functions.containsKey(function)) {
            throw new IllegalArgumentException("no function " + function + " in the template");
        }
        Hold hold = new Hold(function, invocation);
        holds.add(hold);
        return hold;
    }

    /** An invocation held before its handler runs. */
    public static final class Hold {
        private final String function;
        private final int invocation;
        private final Gate gate = new Gate();

        private Hold(String function, int invocation) {
            this.function = function;
            this.invocation = invocation;
        }

        /** Waits until the held invocation has arrived; false when it did not within the timeout. */
        public boolean awaitArrival(java.time.Duration timeout) throws InterruptedException {
            return gate.awaitArrival(timeout);
        }

        /** Lets the invocation's handler run. */
        public void release() {
            gate.release();
        }

        void block() {
            try {
                if (!gate.pass(java.time.Duration.ofMinutes(10))) {
                    throw new IllegalStateException("invocation " + invocation + " of " + function + " was held for 10 minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            }
        }
    }

    /** How many times a function was invoked since the last {@link #reset()}. */
    public int invocations(String function) {
        AtomicInteger count = invocations.get(function);
        return count == null ? 0 : count.get();
    }

    /**
     * How long a function's invocations ran since the last {@link #reset()}, each rounded up to the
     * millisecond as Lambda bills it (in process: a lower bound of what Lambda would bill).
     */
    public long billedMillis(String function) {
        var millis = billedMillis.get(function);
        return millis == null ? 0 : millis.get();
    }

    /**
     * Lets every held invocation go on and waits, {@code longest} at most, until no invocation runs; false when some still
     * ran then.
     */
    public boolean drain(java.time.Duration longest) throws InterruptedException {
        holds.forEach(Hold::release);
        long deadline = System.nanoTime() + longest.toNanos();
        synchronized (idle) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /** Forgets warm instances (their cached configuration), counters, faults and holds: a fresh deployment. */
    public void reset() {
        warm.clear();
        invocations.clear();
        billedMillis.clear();
        faults.clear();
        holds.forEach(Hold::release);
        holds.clear();
    }

    @Override
    public Optional<AwsResponse> handle(AwsRequest request) {
        Matcher m = INVOKE_PATH.matcher(request.path());
        if (!"POST".equals(request.method()) || !m.matches()) {
            return Optional.empty();
        }
        String name = functionName(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
        if (!functions.containsKey(name)) {
            return Optional.of(AwsResponse.json(404, "application/json",
                    "{\"Type\":\"User\",\"Message\":\"Function not found: " + arn(name) + "\"}",
                    Map.of("x-amzn-ErrorType", "ResourceNotFoundException")));
        }
        Result result = invoke(name, request.body());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Amz-Executed-Version", "$LATEST");
        if (result.errorType() != null) {
            headers.put("X-Amz-Function-Error", "Unhandled");
        }
        return Optional.of(AwsResponse.json(200, "application/json", result.payload(), headers));
    }

    /** Invokes a function with a JSON payload, as Lambda would; never throws for handler errors. */
    public Result invoke(String function, byte[] payload) {
        FunctionSpec spec = functions.get(function);
        if (spec == null) {
            throw new IllegalArgumentException("no function " + function + " in the template");
        }
        synchronized (idle) {
            inFlight++;
        }
        try {
            return run(function, spec, payload);
        } finally {
            synchronized (idle) {
                inFlight--;
                idle.notifyAll();
            }
        }
    }

    private Result run(String function, FunctionSpec spec, byte[] payload) {
        int number = invocations.computeIfAbsent(function, k -> new AtomicInteger()).incrementAndGet();
        Optional<Fault> fault = faults.stream()
                .filter(f -> f.function().equals(function) && f.invocation() == number).findFirst();
        if (fault.isPresent() && !fault.get().afterWork()) {
            return Result.error(fault.get().errorType(), fault.get().message());
        }
        holds.stream().filter(h -> h.function.equals(function) && h.invocation == number).findFirst().ifPresent(Hold::block);
        String requestId = UUID.randomUUID().toString();
        long started = System.nanoTime();
        String execution = executionOf(payload);
        RequestStreamHandler handler;
        try {
            handler = ExecutionScope.run(execution, () -> {
                try {
                    return acquire(spec);
                } catch (ReflectiveOperationException | LinkageError e) {
                    throw new HandlerFailure(e);
                }
            });
        } catch (RuntimeException failure) {
            return failed(function, requestId, failure instanceof HandlerFailure f ? f.getCause() : failure);
        }
        LocalContext context = new LocalContext(requestId, spec, line -> log.accept(function + " " + line));
        AtomicBoolean timedOut = new AtomicBoolean();
        FutureTask<Result> invocation = new FutureTask<>(() -> ExecutionScope.run(execution, () -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                handler.handleRequest(new ByteArrayInputStream(payload), out, context);
                if (!timedOut.get()) {
                    warm.get(function).push(handler);
                }
                return Result.ok(out.toString(StandardCharsets.UTF_8));
            } catch (Exception | LinkageError e) {
                return failed(function, requestId, e);
            }
        }));
        Thread worker = new Thread(invocation, function + " " + requestId);
        worker.setDaemon(true);
        worker.start();
        Result result = await(invocation, spec, () -> {
            timedOut.set(true);
            worker.interrupt();
            log.accept(function + " " + requestId + " timed out after " + spec.timeoutSeconds() + " s");
        });
        billedMillis.computeIfAbsent(function, k -> new java.util.concurrent.atomic.AtomicLong())
                .addAndGet((System.nanoTime() - started + 999_999) / 1_000_000);
        if (fault.isPresent() && fault.get().paddedAnswer() > 0 && !result.failed()) {
            return Result.ok(padded(result.payload(), fault.get().paddedAnswer()));
        }
        if (fault.isPresent() && fault.get().errorType() != null) {
            return Result.error(fault.get().errorType(), fault.get().message());
        }
        return result;
    }

    /**
     * The invocation's answer, or, when its handler is still running at the function's timeout, the error Lambda
     * answers then ({@code Sandbox.Timedout}); {@code timedOut} runs first (the handler's thread is left to end, its
     * instance never reused, where Lambda would end the environment).
     */
    private static Result await(FutureTask<Result> invocation, FunctionSpec spec, Runnable timedOut) {
        try {
            return invocation.get(spec.timeoutSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            timedOut.run();
            return Result.error(TIMED_OUT, "Task timed out after " + spec.timeoutSeconds() + ".00 seconds");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.error(InterruptedException.class.getName(), "interrupted while the handler ran");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private Result failed(String function, String requestId, Throwable thrown) {
        Throwable e = thrown instanceof java.lang.reflect.InvocationTargetException construction
                && construction.getCause() != null ? construction.getCause() : thrown;
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        log.accept(function + " " + requestId + " failed: " + e.getClass().getName() + ": " + message);
        return Result.error(e.getClass().getName(), message);
    }

    /** A handler that could not be built, carried out of {@link ExecutionScope#run}. */
    private static final class HandlerFailure extends RuntimeException {
        HandlerFailure(Throwable cause) {
            super(cause);
        }
    }

    private RequestStreamHandler acquire(FunctionSpec spec) throws ReflectiveOperationException {
        Deque<RequestStreamHandler> pool = warm.computeIfAbsent(spec.name(), k -> new ConcurrentLinkedDeque<>());
        RequestStreamHandler handler = pool.poll();
        if (handler != null) {
            return handler;
        }
        synchronized (ENVIRONMENT_LOCK) {
            for (String name : environmentNames) {
                String value = spec.environment().get(name);
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            }
            Class<?> type = Class.forName(spec.handlerClass());
            Object instance;
            try {
                instance = type.getConstructor(Clock.class).newInstance(clock);
            } catch (NoSuchMethodException noClock) {
                instance = type.getDeclaredConstructor().newInstance();
            }
            if (!(instance instanceof RequestStreamHandler streamHandler)) {
                throw new IllegalStateException(spec.handler() + " is not a RequestStreamHandler");
            }
            return streamHandler;
        }
    }

    private static String padded(String answer, int bytes) {
        JsonNode parsed = Json.tree(answer);
        ObjectNode object = parsed instanceof ObjectNode o ? o : Json.object().set("answer", parsed);
        object.put("padding", "x".repeat(bytes));
        return object.toString();
    }

    /** The execution a payload belongs to: the state document's {@code executionName}, else the request id. */
    static String executionOf(byte[] payload) {
        try {
            JsonNode doc = Json.tree(new String(payload, StandardCharsets.UTF_8));
            if (doc instanceof ObjectNode object) {
                if (object.path("executionName").isTextual()) {
                    return object.get("executionName").asText();
                }
                if (object.path("request").path("requestId").isTextual()) {
                    return object.get("request").get("requestId").asText();
                }
            }
        } catch (IllegalArgumentException notJson) {
            // Lambda accepts any payload; it just belongs to no execution
        }
        return null;
    }

    /** The function name in a function name, ARN or qualified ARN. */
    public static String functionName(String nameOrArn) {
        if (nameOrArn.startsWith("arn:")) {
            String[] parts = nameOrArn.split(":");
            return parts.length > 6 ? parts[6] : nameOrArn;
        }
        int colon = nameOrArn.indexOf(':');
        return colon < 0 ? nameOrArn : nameOrArn.substring(0, colon);
    }

    /**
     * The answer of one invocation: the handler's JSON output, or Lambda's error document.
     *
     * @param errorType null on success
     */
    public record Result(String payload, String errorType, String errorMessage) {
        static Result ok(String payload) {
            return new Result(payload, null, null);
        }

        static Result error(String type, String message) {
            ObjectNode doc = Json.object();
            doc.put("errorType", type);
            doc.put("errorMessage", message);
            return new Result(doc.toString(), type, message);
        }

        public boolean failed() {
            return errorType != null;
        }
    }
}
