package dev.pushdeploy.local.e2e;

import dev.pushdeploy.adapter.aws.EcrKeptImages;
import dev.pushdeploy.ops.History;
import dev.pushdeploy.ops.StepFunctions;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.template.HistoryBudgetTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** What the end-to-end tests do and read: pushes through the whole workflow, and the stack's state after. */
public final class Workflow {
    final LocalRuntime runtime;
    private final StepFunctions sfn;
    final StackOutputs.Service web;
    final List<String> output = new CopyOnWriteArrayList<>();
    private final DynamoDbClient dynamo;
    private final EcsClient ecs;
    private final SsmClient ssm;

    public Workflow(LocalRuntime runtime) {
        this.runtime = runtime;
        this.web = runtime.stack().service();
        this.dynamo = runtime.clients().build(DynamoDbClient.builder());
        this.ecs = runtime.clients().build(EcsClient.builder());
        this.ssm = runtime.clients().build(SsmClient.builder());
        this.sfn = new StepFunctions(runtime.clients().build(SfnClient.builder()));
    }

    /** A push of a new image tagged {@code tag}, its ECR event, and the run it starts. */
    public RunResult push(String tag, Scenario scenario) {
        return start(tag, scenario).await();
    }

    LocalRuntime.Run start(String tag, Scenario scenario) {
        return runtime.start(pushEvent(tag), scenario, null, line -> output.add(line.format()));
    }

    String pushEvent(String tag) {
        String digest = runtime.pushImage(web.target().repository(), tag);
        return runtime.pushEvent(web.target().repository(), tag, digest, false).toString();
    }

    /**
     * Tags an image already in the repository with {@code tag} (as the pipeline's keep tags are put: ECR's guide's retag) and
     * returns the push event ECR reports for it, at the simulated now: ECR keeps the image's first push time.
     */
    String retagEvent(String digest, String tag) {
        String repository = web.target().repository();
        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        if (!new EcrKeptImages(() -> ecr).keep(repository, digest, tag)) {
            throw new IllegalStateException(digest + " is not an image of " + repository);
        }
        return runtime.pushEvent(repository, tag, digest, false).toString();
    }

    RunResult run(String input, Scenario scenario) {
        RunResult result = runtime.run(input, scenario, null, line -> output.add(line.format()));
        output.add(result.summary().toString());
        return result;
    }

    String liveTaskDefinition() {
        return runtime.liveTaskDefinition(web.target().cluster(), web.target().service());
    }

    String liveImage() {
        String td = liveTaskDefinition();
        return ecs.describeTaskDefinition(r -> r.taskDefinition(td)).taskDefinition().containerDefinitions().stream()
                .filter(c -> c.name().equals(web.target().container())).findFirst().orElseThrow().image();
    }

    boolean lockHeld() {
        return !item("lock").isEmpty();
    }

    /** The lock item (empty when nobody holds it). */
    Map<String, AttributeValue> lock() {
        return item("lock");
    }

    /** The reasons of the Lock step's answers to a run, in order. */
    List<String> lockAnswers(RunResult result) {
        List<String> answers = new java.util.ArrayList<>();
        String previous = null;
        for (JsonNode event : result.history()) {
            String type = event.path("type").asText();
            if ("TaskStateEntered".equals(type)) {
                previous = event.path("stateEnteredEventDetails").path("name").asText();
            }
            String output = event.path("lambdaFunctionSucceededEventDetails").path("output").asText(null);
            if ("Lock".equals(previous) && output != null) {
                answers.add(output);
            }
        }
        return answers;
    }

    /** The lock's holder, if any request holds it. */
    String lockHolder() {
        Map<String, AttributeValue> lock = item("lock");
        return lock.isEmpty() ? null : lock.get("holder").s();
    }

    /** Whether the request (an execution name) is queued for the lock. */
    boolean waiting(String requestId) {
        return !item("wait#" + requestId).isEmpty();
    }

    /** Takes the task token off the request's waiter item: a wake-up that never reaches the run. */
    void forgetTurnToken(String requestId) {
        dynamo.updateItem(r -> r.tableName(runtime.stack().table()).updateExpression("REMOVE turnToken")
                .key(Map.of("pk", AttributeValue.fromS(pk()), "sk", AttributeValue.fromS("wait#" + requestId))));
    }

    /** Waits until the run named {@code name} is in WaitForLock with its task token stored: it waits for nothing else. */
    void awaitItsTurnWaited(String name) throws InterruptedException {
        awaitState(name, "WaitForLock");
        long deadline = System.currentTimeMillis() + 120_000;
        while (!item("wait#" + name).containsKey("turnToken")) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(name + " stored no task token for its turn");
            }
            Thread.sleep(50);
        }
    }

    /** Waits until the run named {@code name} is in WaitForScan with its watch stored: it waits for the scan's event. */
    void awaitItsScanWatched(String name) throws InterruptedException {
        awaitState(name, "WaitForScan");
        long deadline = System.currentTimeMillis() + 120_000;
        while (scanWatches().stream().noneMatch(i -> i.get("request").s().contains("\"" + name + "\""))) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(name + " stored no watch for its scan");
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits until the run named {@code name} watches its rollout with a task token other than {@code previous} (null: any)
     * stored: it waits in WaitForRollout for ECS's events. Answers that token.
     */
    String awaitItsRolloutWatched(String name, String previous) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            Map<String, AttributeValue> watch = item("watch");
            if (watch.containsKey("token") && watch.get("request").s().contains("\"" + name + "\"")
                    && !watch.get("token").s().equals(previous)) {
                return watch.get("token").s();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(name + " stored no new watch of its rollout: " + watch);
            }
            Thread.sleep(50);
        }
    }

    /** The items of the runs waiting for a scan (ScanGate's watches). */
    List<Map<String, AttributeValue>> scanWatches() {
        return dynamo.scan(r -> r.tableName(runtime.stack().table())).items().stream()
                .filter(i -> i.get("pk").s().startsWith("scan#") && i.get("sk").s().startsWith("watch#")).toList();
    }

    /** The history items of one request (an execution name). */
    List<Map<String, AttributeValue>> historyOf(String requestId) {
        return history().stream().filter(i -> i.get("sk").s().endsWith("#" + requestId)).toList();
    }

    /** The notifications published since the last call, as JSON. */
    List<JsonNode> notices() {
        return runtime.notifications().stream().map(Json::tree).toList();
    }

    /** Starts a named run of an input (an event or a manual input), without waiting. */
    LocalRuntime.Run start(String input, Scenario scenario, String name) {
        return runtime.start(input, scenario, name, line -> output.add(line.format()));
    }

    /**
     * Waits until the run's history shows one of {@code states} entered, and answers the first; a run not started yet
     * (one a release starts) is waited for too. Fails after two minutes.
     */
    String awaitState(String name, String... states) throws InterruptedException {
        String arn = runtime.executionArn(name);
        List<String> wanted = List.of(states);
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                for (JsonNode event : sfn.history(arn)) {
                    String entered = event.path("stateEnteredEventDetails").path("name").asText();
                    if (wanted.contains(entered)) {
                        return entered;
                    }
                }
            } catch (ExecutionDoesNotExistException notYet) {
                // not started yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " never entered any of " + wanted);
    }

    /** The next invocation of a function, held before its handler runs until released. */
    LambdaRuntime.Hold holdNext(String function) {
        return runtime.lambdas().hold(function, runtime.lambdas().invocations(function) + 1);
    }

    /**
     * Stops the run named {@code name} the moment it is in {@code state}, where simulated time would
     * otherwise be skipped or a step be over at once. Each invocation of {@code function} (the Task
     * {@code state} itself, or a Task before it) is held. When the held invocation is {@code state}'s,
     * the run is stopped with it in flight, and the hold is returned (release it after the checks).
     * Otherwise simulated time is held to the wall clock and the invocation released; when the next
     * state that takes time is the Wait {@code state}, the run is stopped in it (returns null), else
     * the next invocation is awaited.
     */
    LambdaRuntime.Hold stopOnEntering(String name, String state, String function) throws InterruptedException {
        String arn = runtime.executionArn(name);
        JsonNode states = aslStates();
        LambdaRuntime.Hold current = holdNext(function);
        while (true) {
            if (!current.awaitArrival(Duration.ofMinutes(2))) {
                throw new AssertionError(name + ": no invocation of " + function + " before " + state + "; history: "
                        + historySummary(sfn.history(arn)));
            }
            JsonNode history = sfn.history(arn);
            if (state.equals(lastEntered(history, states, "Task"))) {
                runtime.stop(arn);
                return current;
            }
            LambdaRuntime.Hold next = holdNext(function);
            try (var heldTime = runtime.holdTime()) {
                int seen = history.size();
                current.release();
                long deadline = System.currentTimeMillis() + 120_000;
                String entered = null;
                boolean arrived = false;
                while (entered == null && !arrived) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new AssertionError(name + " went nowhere after " + function);
                    }
                    arrived = next.awaitArrival(java.time.Duration.ofMillis(20));
                    JsonNode events = sfn.history(arn);
                    for (int i = seen; i < events.size() && entered == null; i++) {
                        String type = events.get(i).path("type").asText();
                        String stateName = events.get(i).path("stateEnteredEventDetails").path("name").asText();
                        if (type.startsWith("Execution")) {
                            throw new AssertionError(name + " ended (" + type + ") before " + state);
                        }
                        if (type.endsWith("StateEntered") && !List.of("Choice", "Pass").contains(states.path(stateName).path("Type").asText())) {
                            entered = stateName;
                        }
                    }
                }
                if (state.equals(entered) && states.path(state).path("Type").asText().equals("Wait")) {
                    runtime.stop(arn);
                    next.release();
                    return null;
                }
            }
            current = next;
        }
    }

    /** The last state of a type the history shows entered. */
    /** The execution's history in a line: each event's type, and the state's name where one is entered. */
    private static String historySummary(JsonNode history) {
        List<String> lines = new java.util.ArrayList<>();
        for (JsonNode event : history) {
            String entered = event.path("stateEnteredEventDetails").path("name").asText("");
            lines.add(event.path("type").asText() + (entered.isEmpty() ? "" : " " + entered));
        }
        return String.join(", ", lines);
    }

    private static String lastEntered(JsonNode history, JsonNode states, String type) {
        String last = null;
        for (JsonNode event : history) {
            String name = event.path("stateEnteredEventDetails").path("name").asText(null);
            if (name != null && type.equals(states.path(name).path("Type").asText())) {
                last = name;
            }
        }
        return last;
    }

    private static JsonNode aslStates() {
        try {
            return Json.tree(java.nio.file.Files.readString(TestRuntime.root().resolve("statemachine/deploy.asl.json"))).path("States");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The image of a revision's target container. */
    String imageOf(String taskDefinition) {
        return ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition().containerDefinitions().stream()
                .filter(c -> c.name().equals(web.target().container())).findFirst().orElseThrow().image();
    }

    /** The service as ECS describes it. */
    software.amazon.awssdk.services.ecs.model.Service service() {
        return ecs.describeServices(r -> r.cluster(web.target().cluster()).services(web.target().service())).services().get(0);
    }

    /**
     * Waits until the service runs one deployment, completed (a move back started by the reconciler has drained), and
     * answers its task definition.
     */
    String awaitSteady() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        software.amazon.awssdk.services.ecs.model.Service service = service();
        while (System.currentTimeMillis() < deadline) {
            if (service.deployments().size() == 1
                    && service.deployments().get(0).rolloutState() == software.amazon.awssdk.services.ecs.model.DeploymentRolloutState.COMPLETED) {
                return service.taskDefinition();
            }
            Thread.sleep(200);
            service = service();
        }
        throw new AssertionError("the service was not steady within 180 s: " + service.deployments());
    }

    /** An execution redriven to its new end: how it ended, and the events from its ExecutionRedriven on. */
    record Redrive(software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse ended,
                   List<software.amazon.awssdk.services.sfn.model.HistoryEvent> events) {
    }

    /** Redrives the ended execution {@code arn} (RedriveExecution) and waits, at most 3 minutes, for its new end. */
    static Redrive redrive(SfnClient sfn, String arn) throws InterruptedException {
        sfn.redriveExecution(r -> r.executionArn(arn));
        long deadline = System.currentTimeMillis() + 180_000;
        var described = sfn.describeExecution(r -> r.executionArn(arn));
        while (described.status() == software.amazon.awssdk.services.sfn.model.ExecutionStatus.RUNNING
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            described = sfn.describeExecution(r -> r.executionArn(arn));
        }
        if (described.status() == software.amazon.awssdk.services.sfn.model.ExecutionStatus.RUNNING) {
            throw new AssertionError("the redriven execution did not end within 3 minutes: " + arn);
        }
        List<software.amazon.awssdk.services.sfn.model.HistoryEvent> events = sfn.getExecutionHistory(
                r -> r.executionArn(arn).maxResults(1000)).events();
        int redriven = 0;
        while (redriven < events.size() && !events.get(redriven).typeAsString().equals("ExecutionRedriven")) {
            redriven++;
        }
        return new Redrive(described, events.subList(redriven, events.size()));
    }

    /** The target container of the live revision. */
    dev.pushdeploy.model.TaskDefinition.Container liveContainer() {
        return new dev.pushdeploy.adapter.aws.EcsTaskDefinitions(ecs).require(liveTaskDefinition())
                .container(web.target().container()).orElseThrow();
    }

    /** The revision a release was derived from (its {@code pushdeploy:derived-from} tag), or null. */
    String derivedFrom(String taskDefinition) {
        return ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition).include(
                        software.amazon.awssdk.services.ecs.model.TaskDefinitionField.TAGS)).tags().stream()
                .filter(tag -> tag.key().equals(dev.pushdeploy.release.ReleaseDerivation.TAG_DERIVED_FROM))
                .map(software.amazon.awssdk.services.ecs.model.Tag::value).findFirst().orElse(null);
    }

    /** Every managed secret of the service → its slot parameter {@code slot}. */
    Map<String, String> slots(String slot) {
        return web.target().secrets().stream().collect(java.util.stream.Collectors.toMap(dev.pushdeploy.config.SecretSpec::name,
                spec -> spec.slotParameter(slot)));
    }

    /** The name of one of the service's release parameters: {@code image}, {@code secret/NAME}. */
    String releaseParameter(String suffix) {
        return runtime.stack().releaseParameterPrefix() + "/" + web.target().cluster() + "/" + web.target().service() + "/" + suffix;
    }

    /** A parameter's value; null when there is no such parameter. */
    String parameter(String name) {
        try {
            return ssm.getParameter(r -> r.name(name)).parameter().value();
        } catch (software.amazon.awssdk.services.ssm.model.ParameterNotFoundException e) {
            return null;
        }
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    EcsClient ecs() {
        return ecs;
    }

    SsmClient ssm() {
        return ssm;
    }

    CloudWatchClient cloudWatch() {
        return runtime.clients().build(CloudWatchClient.builder());
    }

    /** How many times a Task is attempted on an error none of its retriers names (a crash): 1 + States.ALL's MaxAttempts. */
    int attemptsOnAnError(String state) {
        try {
            JsonNode retry = Json.tree(java.nio.file.Files.readString(TestRuntime.root().resolve("statemachine/deploy.asl.json")))
                    .path("States").path(state).path("Retry");
            for (JsonNode retrier : retry) {
                for (JsonNode name : retrier.path("ErrorEquals")) {
                    if (name.asText().equals("States.ALL")) {
                        return 1 + retrier.path("MaxAttempts").asInt(3);
                    }
                }
            }
            return 1;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The image the release parameters name for the service. */
    String releasedImage() {
        return ssm.getParameter(r -> r.name(releaseParameter("image"))).parameter().value();
    }

    /** How often a run entered a state. */
    long timesEntered(RunResult result, String state) {
        long times = 0;
        for (JsonNode event : result.history()) {
            times += state.equals(event.path("stateEnteredEventDetails").path("name").asText()) ? 1 : 0;
        }
        return times;
    }

    /** Whether a run entered a state. */
    boolean entered(RunResult result, String state) {
        for (JsonNode event : result.history()) {
            if (state.equals(event.path("stateEnteredEventDetails").path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The history size HistoryBudgetTest's model gives for the states this run entered: the execution's
     * start and end, each state's events by its type, and 3 more per retried Lambda attempt.
     */
    int budgetedEvents(RunResult result) {
        JsonNode states = aslStates();
        int events = HistoryBudgetTest.EXECUTION_EVENTS;
        int tasks = 0;
        int lambdaAttempts = 0;
        for (JsonNode event : result.history()) {
            if (event.path("type").asText().endsWith("StateEntered")) {
                JsonNode state = states.path(event.path("stateEnteredEventDetails").path("name").asText());
                events += HistoryBudgetTest.events(state);
                tasks += state.path("Type").asText().equals("Task") ? 1 : 0;
            }
            lambdaAttempts += List.of("LambdaFunctionScheduled", "TaskScheduled").contains(event.path("type").asText()) ? 1 : 0;
        }
        return events + HistoryBudgetTest.EVENTS_PER_FAILED_ATTEMPT * (lambdaAttempts - tasks);
    }

    /** The largest state document (a state's input or output, in bytes of UTF-8) of a run, beyond the execution's own input entering the first state. */
    int largestStatePayload(RunResult result) {
        int largest = 0;
        for (JsonNode event : result.history()) {
            JsonNode entered = event.path("stateEnteredEventDetails");
            JsonNode input = entered.path("name").asText().equals("Init") ? entered.path("none") : entered.path("input");
            for (JsonNode text : List.of(input, event.path("stateExitedEventDetails").path("output"))) {
                if (text.isTextual()) {
                    largest = Math.max(largest, text.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
                }
            }
        }
        return largest;
    }

    /**
     * What a stack redeploy or a change in the console does: registers a copy of a revision and points the
     * service at it, outside the pipeline. Returns the new revision.
     */
    String redeployByHand(String copyOf) {
        var source = ecs.describeTaskDefinition(r -> r.taskDefinition(copyOf)).taskDefinition();
        String arn = ecs.registerTaskDefinition(r -> r.family(source.family()).networkMode(source.networkMode())
                        .requiresCompatibilities(source.requiresCompatibilities()).cpu(source.cpu()).memory(source.memory())
                        .executionRoleArn(source.executionRoleArn()).taskRoleArn(source.taskRoleArn())
                        .containerDefinitions(source.containerDefinitions()))
                .taskDefinition().taskDefinitionArn();
        ecs.updateService(r -> r.cluster(web.target().cluster()).service(web.target().service()).taskDefinition(arn));
        return arn;
    }

    /** UpdateService to a revision already registered, as one puts a service back on its previous revision by hand. */
    void moveByHand(String taskDefinition) {
        ecs.updateService(r -> r.cluster(web.target().cluster()).service(web.target().service()).taskDefinition(taskDefinition));
    }

    /** UpdateService with forceNewDeployment and nothing else, as the console's "Force new deployment" sends it. */
    void forceNewDeploymentByHand() {
        ecs.updateService(r -> r.cluster(web.target().cluster()).service(web.target().service()).forceNewDeployment(true));
    }

    /**
     * A push of v1.1.0 named {@code name} whose first rollout check waits until {@code byHand} was done; how it ended.
     */
    RunResult duringTheRollout(String name, Scenario scenario, Runnable byHand) throws InterruptedException {
        LambdaRuntime.Hold check = holdNext("CheckDeploymentFunction");
        LocalRuntime.Run run = start(pushEvent("v1.1.0"), scenario, name);
        if (!check.awaitArrival(Duration.ofMinutes(2))) {
            throw new AssertionError("the rollout of " + name + " did not get under way");
        }
        byHand.run();
        check.release();
        return run.await();
    }

    /**
     * Rewrites the configuration document as an operator could: "broken" (half of it, a hand edit gone wrong),
     * "untargeted" (the first target's service renamed, as a stack update that dropped the service) or "deleted" (the
     * parameter and every version of it gone).
     */
    void changeConfigurationByHand(String change) {
        String name = runtime.stack().configParameter();
        if (change.equals("deleted")) {
            ssm.deleteParameter(r -> r.name(name));
            return;
        }
        String current = ssm.getParameter(r -> r.name(name)).parameter().value();
        String changed = switch (change) {
            case "broken" -> current.substring(0, current.length() / 2);
            case "untargeted" -> {
                ObjectNode config = (ObjectNode) Json.tree(current);
                ((ObjectNode) config.get("targets").get(0)).put("service", "elsewhere");
                yield config.toString();
            }
            default -> throw new IllegalArgumentException("no such change of the configuration: " + change);
        };
        ssm.putParameter(r -> r.name(name).type(ParameterType.STRING).overwrite(true)
                .value(changed));
    }

    /** DeleteService with force (its tasks stopped with it), as one deletes a service by hand. */
    void deleteByHand() {
        ecs.deleteService(r -> r.cluster(web.target().cluster()).service(web.target().service()).force(true));
    }

    /** UpdateService with a desired count and nothing else, as one scales a service by hand. */
    void scaleByHand(int desiredCount) {
        ecs.updateService(r -> r.cluster(web.target().cluster()).service(web.target().service()).desiredCount(desiredCount));
    }

    /** The service's desired count and running count. */
    List<Integer> counts() {
        var service = ecs.describeServices(r -> r.cluster(web.target().cluster()).services(web.target().service())).services().get(0);
        return List.of(service.desiredCount(), service.runningCount());
    }

    /** ACTIVE or INACTIVE. */
    String status(String taskDefinition) {
        return ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition().statusAsString();
    }

    /** The digest ECR holds under a tag. */
    String digestOf(String tag) {
        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        return ecr.describeImages(r -> r.repositoryName(web.target().repository()).imageIds(i -> i.imageTag(tag)))
                .imageDetails().get(0).imageDigest();
    }

    /** The parameter a revision's container reads a secret from (its valueFrom). */
    String secretParameter(String taskDefinition, String secret) {
        return ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition().containerDefinitions().stream()
                .filter(c -> c.name().equals(web.target().container())).findFirst().orElseThrow().secrets().stream()
                .filter(x -> x.name().equals(secret)).findFirst().orElseThrow().valueFrom();
    }

    /** The tags ECR holds for an image of the service's repository, by digest. */
    List<String> tagsOf(String digest) {
        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        return ecr.describeImages(r -> r.repositoryName(web.target().repository()).imageIds(i -> i.imageDigest(digest)))
                .imageDetails().get(0).imageTags();
    }

    /** Deletes an image of the service's repository by digest, as an operator's BatchDeleteImage or a lifecycle policy's expiry does. */
    void expireImage(String digest) {
        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        var answer = ecr.batchDeleteImage(r -> r.repositoryName(web.target().repository()).imageIds(i -> i.imageDigest(digest)));
        if (!answer.failures().isEmpty()) {
            throw new IllegalStateException("ECR did not delete " + digest + ": " + answer.failures());
        }
    }

    /** Moves an image of the service's repository to ECR's archive, or back (UpdateImageStorageClass). */
    void storageClass(String digest, software.amazon.awssdk.services.ecr.model.TargetStorageClass storageClass) {
        runtime.clients().build(EcrClient.builder()).updateImageStorageClass(r -> r.repositoryName(web.target().repository())
                .imageId(i -> i.imageDigest(digest)).targetStorageClass(storageClass));
    }

    /** The push time of a run's request. */
    long pushedAt(RunResult result) {
        return History.lastRequest(result.history()).orElseThrow().path("pushedAt").asLong();
    }

    /** The run's place in the arrival sequence, from its last answer of the lock step. */
    long arrival(RunResult result) {
        long arrival = 0;
        for (JsonNode event : result.history()) {
            JsonNode output = event.path("stateExitedEventDetails").path("output");
            if (output.isTextual()) {
                JsonNode lock = Json.tree(output.asText()).path("lock");
                if (lock.has("arrival")) {
                    arrival = lock.get("arrival").asLong();
                }
            }
        }
        return arrival;
    }

    /**
     * A manual deploy of a new image that ECR holds but never scanned (put without a scan, as a
     * repository without scan on push would): the scan gate can only wait for it.
     */
    String unscannedDeploy(String tag) {
        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:%s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":7,"digest":"sha256:%s"}]}"""
                .formatted("1".repeat(64), Integer.toHexString(tag.hashCode()).repeat(8).substring(0, 64));
        String digest = ecr.putImage(r -> r.repositoryName(web.target().repository()).imageManifest(manifest).imageTag(tag))
                .image().imageId().imageDigest();
        return Json.object().put("action", "deploy").put("image", web.target().repository() + "@" + digest).toString();
    }

    /** Whether a run (an execution name) ever held the lock, by its own history. */
    boolean ranTheLockFor(String name) {
        for (JsonNode event : sfn.history(runtime.executionArn(name))) {
            JsonNode output = event.path("stateExitedEventDetails").path("output");
            if (output.isTextual() && "ACQUIRED".equals(Json.tree(output.asText()).path("lock").path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The history items of the service's ledger. */
    List<Map<String, AttributeValue>> history() {
        return dynamo.query(r -> r.tableName(runtime.stack().table())
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :hist)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk()), ":hist", AttributeValue.fromS("hist#"))))
                .items();
    }

    /** How many requests are queued for the service's lock. */
    int waiters() {
        return dynamo.query(r -> r.tableName(runtime.stack().table()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :wait)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk()), ":wait", AttributeValue.fromS("wait#"))))
                .count();
    }

    Map<String, AttributeValue> historyOf(RunResult result) {
        String execution = result.executionArn().substring(result.executionArn().lastIndexOf(':') + 1);
        return history().stream().filter(i -> i.get("sk").s().endsWith("#" + execution)).findFirst()
                .orElseThrow(() -> new AssertionError("no history item for " + execution + " in " + history()));
    }

    /** The error names of the function invocations that failed during a run. */
    static List<String> failedInvocations(RunResult result) {
        List<String> errors = new java.util.ArrayList<>();
        for (JsonNode event : result.history()) {
            if (event.path("type").asText().equals("LambdaFunctionFailed")) {
                errors.add(event.path("lambdaFunctionFailedEventDetails").path("error").asText());
            }
        }
        return errors;
    }

    /** The outcomes in the notifications published since the last call. */
    List<String> notifiedOutcomes() {
        return runtime.notifications().stream().map(n -> Json.tree(n).path("outcome").asText()).toList();
    }

    private Map<String, AttributeValue> item(String sk) {
        return dynamo.getItem(r -> r.tableName(runtime.stack().table())
                .key(Map.of("pk", AttributeValue.fromS(pk()), "sk", AttributeValue.fromS(sk))).consistentRead(true)).item();
    }

    private String pk() {
        return "svc#" + web.target().serviceKey();
    }
}
