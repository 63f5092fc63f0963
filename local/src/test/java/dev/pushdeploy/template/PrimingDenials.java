package dev.pushdeploy.template;

import java.util.Map;
import java.util.Set;

/**
 * The calls of each function's SnapStart priming that its role in template.yaml does not allow, by handler
 * (simple class name): the read of the service's live revision (priming goes on without it; RegisterTaskDefinition
 * lists its family's revisions instead), and Prepare's and Reconcile's reads of the priming's own execution, which is
 * none of the stack's state machine (priming answers them in process, so these two never reach AWS). IamCoverageIT
 * checks this against the roles; the cold-start benchmark answers these calls AccessDenied, as AWS would.
 */
public final class PrimingDenials {
    public static final Map<String, Set<String>> BY_HANDLER = Map.of(
            "PrepareHandler", Set.of("states:DescribeExecution"),
            "ScanGateHandler", Set.of("ecs:DescribeServices"),
            "ScanEventHandler", Set.of("ecs:DescribeServices"),
            "LockHandler", Set.of("ecs:DescribeServices"),
            "ReconcileHandler", Set.of("states:GetExecutionHistory"),
            "ReleaseParametersHandler", Set.of("ecs:DescribeServices"));

    private PrimingDenials() {
    }
}
