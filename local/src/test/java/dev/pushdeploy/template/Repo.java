package dev.pushdeploy.template;

import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.testing.Emulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The repository root seen from the local module, the template, and the fixed names (functions, handlers, sample events). */
final class Repo {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path TEMPLATE_FILE = ROOT.resolve("template.yaml");
    static final Path ASL_FILE = ROOT.resolve("statemachine/deploy.asl.json");
    static final String HANDLER_PACKAGE = "dev.pushdeploy.handler.";

    /** Template function → handler class (simple name) → events file; the ASL substitution is {@code <function>Arn}. */
    static final Map<String, String> FUNCTIONS = new LinkedHashMap<>();
    static final Map<String, String> EVENTS = new LinkedHashMap<>();

    static {
        fn("PrepareFunction", "PrepareHandler", "prepare.json");
        fn("ScanGateFunction", "ScanGateHandler", "scan-gate.json");
        fn("LockFunction", "LockHandler", "lock.json");
        fn("RotateSecretsFunction", "RotateSecretsHandler", "rotate-secrets.json");
        fn("RegisterTaskDefinitionFunction", "RegisterTaskDefinitionHandler", "register-task-definition.json");
        fn("StartDeploymentFunction", "StartDeploymentHandler", "start-deployment.json");
        fn("CheckDeploymentFunction", "CheckDeploymentHandler", "check-deployment.json");
        fn("RollbackFunction", "RollbackHandler", "rollback.json");
        fn("FinalizeFunction", "FinalizeHandler", "finalize.json");
        fn("PlanReleaseFunction", "PlanReleaseHandler", "plan-release.json");
        fn("ReconcileFunction", "ReconcileHandler", "reconcile.json");
        fn("RolloutEventsFunction", "RolloutEventHandler", "ecs-deployment-completed.json");
        fn("ScanEventsFunction", "ScanEventHandler", "ecr-image-scan.json");
        fn("LifecycleHookFunction", "LifecycleHookHandler", "lifecycle-hook.json");
        fn("ReleaseParametersFunction", "ReleaseParametersHandler", "release-parameters.json");
    }

    private Repo() {
    }

    private static void fn(String function, String handler, String events) {
        FUNCTIONS.put(function, handler);
        EVENTS.put(function, events);
    }

    /** template.yaml expanded by aws-sam-translator, with the default parameters. */
    static CfnTemplate template() {
        return template(Map.of());
    }

    /** template.yaml expanded by aws-sam-translator with these parameter values (the others take their defaults). */
    static CfnTemplate template(Map<String, String> parameters) {
        if (!Files.isRegularFile(TEMPLATE_FILE)) {
            throw new IllegalStateException("no template at " + TEMPLATE_FILE);
        }
        return CfnTemplate.expand(TEMPLATE_FILE, Emulator.REGION, Emulator.ACCOUNT, parameters);
    }

    static Path events(String name) {
        return ROOT.resolve("events").resolve(name);
    }
}
