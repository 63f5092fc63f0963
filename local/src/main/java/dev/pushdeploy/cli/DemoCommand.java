package dev.pushdeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@code ./pushdeploy demo}: a good push that goes live, then a bad push that is rolled back,
 * with the live revision, image and secret slots before and after each, in real time.
 */
@Command(name = "demo", description = "A good push that goes live, then a bad push that is rolled back, on a fresh local stack.")
final class DemoCommand implements Callable<Integer> {
    private static final String GOOD_TAG = "v1.1.0";
    private static final String BAD_TAG = "v1.2.0";

    @ParentCommand
    Main main;

    @Option(names = "--rollout-seconds", paramLabel = "N",
            description = "A healthy ECS rollout takes N simulated seconds (default 8); every phase of the simulated tasks scales with it.")
    Double rolloutSeconds;

    private PrintStream out;

    @Override
    public Integer call() {
        out = main.json ? new PrintStream(java.io.OutputStream.nullOutputStream()) : main.out;
        out.println("""
                pushdeploy demo
                ===============
                Everything runs on this machine: moto plays AWS (its Step Functions runs the real state
                machine, statemachine/deploy.asl.json), the Java functions of template.yaml run in this
                JVM, and a simulator plays ECS rolling out tasks behind the load balancer. Time is simulated:
                waiting costs no wall time. Function logs: .pushdeploy/functions.log
                """);
        long start = System.nanoTime();
        out.print("Starting the emulator and bootstrapping the stack ... ");
        out.flush();
        return FreshStack.with(Main.options(main.root, main.functionLog(), null), () -> "the demo did not finish", runtime -> {
            LocalOptions.rolloutSeconds(runtime, rolloutSeconds);
            out.printf(Locale.ROOT, "done (%.1f s).%n%n", (System.nanoTime() - start) / 1e9);
            StackOutputs.Service service = runtime.stack().service();
            String name = service.target().serviceKey();
            List<Live> states = new ArrayList<>();
            states.add(live(runtime, service));
            out.println("The service " + name + " runs its first release:");
            print(states.get(0));

            out.println();
            out.println("1) A developer pushes " + service.target().repository() + ":" + GOOD_TAG + ", a good build.");
            out.println("   ECR emits a push event; the template's EventBridge rule matches it and starts the workflow:");
            RunResult good = push(runtime, service, GOOD_TAG, Scenario.HEALTHY);
            states.add(live(runtime, service));
            print(states.get(1));

            out.println();
            out.println("2) Then " + service.target().repository() + ":" + BAD_TAG + ", a build whose container exits with code 1 on start");
            out.println("   (the simulator crash-loops every task of this image). New secrets and a new revision go out,");
            out.println("   the check sees the crash, and the workflow rolls back image and secrets together:");
            RunResult bad = push(runtime, service, BAD_TAG, Scenario.CRASH_LOOP);
            states.add(live(runtime, service));
            print(states.get(2));

            out.println();
            out.println("Summary");
            out.printf(Locale.ROOT, "  %-16s %-22s %-22s %-22s%n", "", "before", "after " + GOOD_TAG, "after " + BAD_TAG);
            out.printf(Locale.ROOT, "  %-16s %-22s %-22s %-22s%n", "outcome", "-", good.outcome(), bad.outcome());
            out.printf(Locale.ROOT, "  %-16s %-22s %-22s %-22s%n", "live revision",
                    states.get(0).revision(), states.get(1).revision(), states.get(2).revision());
            out.printf(Locale.ROOT, "  %-16s %-22s %-22s %-22s%n", "image",
                    states.get(0).image(), states.get(1).image(), states.get(2).image());
            for (int i = 0; i < states.get(0).slots().size(); i++) {
                int index = i;
                out.printf(Locale.ROOT, "  %-16s %-22s %-22s %-22s%n", states.get(0).slots().get(i).name(),
                        states.get(0).slots().get(index).describe(), states.get(1).slots().get(index).describe(),
                        states.get(2).slots().get(index).describe());
            }
            boolean asExpected = good.outcome().equals("SUCCEEDED") && bad.outcome().equals("ROLLED_BACK")
                    && states.get(2).revision().equals(states.get(1).revision());
            out.println();
            out.println(asExpected
                    ? "The good push went live; the bad one never did: the service is back on " + states.get(2).revision()
                    + " with the secrets it was started with. Secret values never left SSM."
                    : "Unexpected: the demo expected SUCCEEDED, then ROLLED_BACK back to the first push's revision.");
            out.printf(Locale.ROOT, "(%.0f s in all)%n", (System.nanoTime() - start) / 1e9);
            out.println();
            out.println("""
                    Try next:
                      ./pushdeploy run --event events/ecr-push.json --scenario slow-start   # one push, any scenario (crash-loop, bad-smoke, ...)
                      ./pushdeploy local up                  # a local stack that lives across commands, then:
                      ./pushdeploy local push v1.2.0         #   a docker push into it: the workflow deploys it
                      ./pushdeploy --local status            #   what is live, in flight, queued; the last outcomes
                      ./pushdeploy --local diff v1.0.0       #   what a deploy would register, nothing written
                      ./pushdeploy --local rollback          #   back to the previous release
                      ./pushdeploy --local history
                      ./pushdeploy local down
                    The same commands work on a deployed stack (without --local): see README.md, Operating the pipeline.""");
            if (main.json) {
                var summary = dev.pushdeploy.ops.Json.object().put("asExpected", asExpected);
                summary.set(GOOD_TAG, good.summary());
                summary.set(BAD_TAG, bad.summary());
                main.output().json(summary);
            }
            return asExpected ? 0 : 1;
        });
    }

    private RunResult push(LocalRuntime runtime, StackOutputs.Service service, String tag, Scenario imageBehaviour) {
        String repository = service.target().repository();
        String digest = runtime.pushImage(repository, tag);
        runtime.simulator().imageScenario(digest, imageBehaviour);
        String event = runtime.pushEvent(repository, tag, digest, false).toString();
        RunResult result = runtime.run(event, Scenario.HEALTHY, null, line -> out.println("   " + line.format()));
        out.println("   → " + result.outcome() + (result.reason() == null ? "" : ": " + result.reason()));
        out.println("   " + result.secretsLine());
        runtime.notifications().forEach(n -> out.println("   notified (SNS): " + notice(n)));
        return result;
    }

    /** The published outcome in a few words: outcome, service, the revision it left live. */
    private static String notice(String message) {
        JsonNode notice = Json.tree(message);
        String revision = notice.path("taskDefinition").asText("");
        return notice.path("outcome").asText() + " " + notice.path("service").asText()
                + (revision.isEmpty() ? "" : ", live " + revision.substring(revision.lastIndexOf('/') + 1));
    }

    private void print(Live live) {
        out.println("   live revision  " + live.revision());
        out.println("   image          " + live.image() + " (" + live.digest() + ")");
        live.slots().forEach(s -> out.println("   secret         " + s.name() + " → " + s.parameter() + " (version " + s.version() + ")"
                + (s.username() == null ? "" : ", role " + s.username())));
    }

    private static Live live(LocalRuntime runtime, StackOutputs.Service service) {
        EcsClient ecs = runtime.clients().build(EcsClient.builder());
        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        SsmClient ssm = runtime.clients().build(SsmClient.builder());
        String taskDefinition = runtime.liveTaskDefinition(service.target().cluster(), service.target().service());
        ContainerDefinition container = ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition()
                .containerDefinitions().stream().filter(c -> c.name().equals(service.target().container())).findFirst()
                .orElseThrow();
        String digest = container.image().substring(container.image().indexOf('@') + 1);
        List<String> tags = ecr.describeImages(r -> r.repositoryName(service.target().repository()).imageIds(i -> i.imageDigest(digest)))
                .imageDetails().get(0).imageTags();
        String image = service.target().repository() + ":" + (tags.isEmpty() ? "?" : tags.get(0));
        Map<String, String> environment = container.environment().stream()
                .collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value, (first, second) -> second));
        List<Slot> slots = container.secrets().stream().map(s -> new Slot(s.name(), s.valueFrom(),
                ssm.getParameter(r -> r.name(s.valueFrom())).parameter().version(), username(service, s.name(), environment)))
                .toList();
        return new Live(taskDefinition.substring(taskDefinition.lastIndexOf('/') + 1), image,
                digest.substring(0, Math.min(digest.length(), 19)) + "…", slots);
    }

    /** The login role a postgres secret's revision passes in its {@code usernameEnv}; null for other secrets. */
    private static String username(StackOutputs.Service service, String secret, Map<String, String> environment) {
        return service.target().secrets().stream()
                .filter(spec -> spec.name().equals(secret) && spec.postgres() != null)
                .map(spec -> environment.get(spec.postgres().usernameEnv()))
                .findFirst().orElse(null);
    }

    private record Live(String revision, String image, String digest, List<Slot> slots) {
    }

    private record Slot(String name, String parameter, long version, String username) {
        String describe() {
            return "slot " + parameter.substring(parameter.lastIndexOf('/') + 1) + " (v" + version + ")"
                    + (username == null ? "" : " " + username);
        }
    }
}
