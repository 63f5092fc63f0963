package dev.pushdeploy.template;

import java.util.Map;
import java.util.Set;

/**
 * The calls of each function's SnapStart priming that its role in template.yaml does not allow, by handler
 * (simple class name): the read of the service's live revision (priming goes on without it), and Prepare's and
 * Reconcile's reads of the priming's own execution, which is not one of the stack's state machine (Prepare goes on
 * with the priming's sample input, Reconcile stops there). IamCoverageIT
 * checks this against the roles; the cold-start benchmark answers these calls AccessDenied, as AWS would.
 */
public final class PrimingDenials {
    public static final Map<String, Set<String>> BY_HANDLER = Map.of(
            "PrepareHandler", Set.of("states:DescribeExecution"),
            "ScanGateHandler", Set.of("ecs:DescribeServices"),
            "LockHandler", Set.of("ecs:DescribeServices"),
            "RotateSecretsHandler", Set.of("ecs:DescribeServices"),
            "RegisterTaskDefinitionHandler", Set.of("ecs:DescribeServices"),
            "PlanReleaseHandler", Set.of("ecs:DescribeServices"),
            "ReconcileHandler", Set.of("states:GetExecutionHistory"),
            "ReleaseParametersHandler", Set.of("ecs:DescribeServices"));

    private PrimingDenials() {
    }
}
