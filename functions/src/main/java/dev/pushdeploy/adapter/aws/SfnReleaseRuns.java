package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.ledger.ReleaseRecord;
import dev.pushdeploy.ledger.ReleaseRuns;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.ReleasePlan;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Step Functions, as the reconciler of a release reads it: the release's plan from its history (the Plan
 * state's output) and whether it left its Notify state (the end of its history), the deployment workflow's
 * executions by name (DescribeExecution), and a service's rollback started as the release's own rollback
 * starts it (StartExecution, the name making it once).
 */
public final class SfnReleaseRuns implements ReleaseRuns {
    private static final int PAGE = 100;
    /**
     * Pages read at most: four times what an execution's history fills (at most 25,000 events, Step Functions' quota), as a
     * page may hold fewer events than asked for; more is an endless answer.
     */
    static final int MAX_HISTORY_PAGES = 4 * 25_000 / PAGE;
    private static final String PLAN = "Plan";
    private static final String RECORD = "Record";
    private static final String NOTIFY = "Notify";

    private final Supplier<SfnClient> sfn;
    private final String deployStateMachineArn;

    /** @param deployStateMachineArn the deployment workflow the release starts its executions of */
    public SfnReleaseRuns(Supplier<SfnClient> sfn, String deployStateMachineArn) {
        this.sfn = sfn;
        this.deployStateMachineArn = deployStateMachineArn;
    }

    @Override
    public Optional<ReleasePlan> plan(String releaseExecutionArn) {
        String token = null;
        int pages = 0;
        do {
            if (++pages > MAX_HISTORY_PAGES) {
                throw new AwsFailureException("states:GetExecutionHistory " + releaseExecutionArn + " answered more than "
                        + MAX_HISTORY_PAGES + " pages, four times what an execution's history of at most 25,000 events fills", null);
            }
            String page = token;
            GetExecutionHistoryResponse response = AwsCall.run("states:GetExecutionHistory " + releaseExecutionArn, () ->
                    sfn.get().getExecutionHistory(r -> r.executionArn(releaseExecutionArn).maxResults(PAGE).nextToken(page)));
            for (HistoryEvent event : response.events()) {
                if (event.stateExitedEventDetails() != null && PLAN.equals(event.stateExitedEventDetails().name())
                        && event.stateExitedEventDetails().output() != null) {
                    String output = event.stateExitedEventDetails().output();
                    if (Json.member(Json.parse(output), "Error") != null) {
                        return Optional.empty(); // Plan failed: its Catch left the error, no plan was made
                    }
                    ReleasePlan plan = Json.read(output, ReleasePlan.class);
                    return plan.release() == null ? Optional.empty() : Optional.of(plan);
                }
            }
            token = response.nextToken();
        } while (token != null);
        return Optional.empty();
    }

    /** The release workflow's summary: {@code {release, outcome, reason, services[, notifyFailed]}}. */
    record SummaryDocument(String release, String outcome, String reason, List<ReleaseRecord.ServiceEnd> services, Object notifyFailed) {
    }

    @Override
    public Optional<Summary> summary(String releaseExecutionArn) {
        DescribeExecutionResponse execution = AwsCall.run("states:DescribeExecution " + releaseExecutionArn, () ->
                sfn.get().describeExecution(r -> r.executionArn(releaseExecutionArn)));
        String text = switch (execution.statusAsString()) {
            case "SUCCEEDED" -> execution.output();
            case "FAILED" -> execution.cause();
            default -> null;
        };
        return summaryOf(text, false);
    }

    /**
     * Newest first, the release's Record or Notify state: they are its last Task states, after its outcome was decided, so
     * one page of the reversed history reaches them (each makes at most seven attempts of four events) when it got there.
     */
    @Override
    public Optional<Summary> verdict(String releaseExecutionArn) {
        GetExecutionHistoryResponse response = AwsCall.run("states:GetExecutionHistory " + releaseExecutionArn, () ->
                sfn.get().getExecutionHistory(r -> r.executionArn(releaseExecutionArn).reverseOrder(true).maxResults(PAGE)));
        for (HistoryEvent event : response.events()) {
            if (event.stateExitedEventDetails() != null && NOTIFY.equals(event.stateExitedEventDetails().name())) {
                return summaryOf(event.stateExitedEventDetails().output(), false);
            }
            if (event.stateEnteredEventDetails() != null && Set.of(RECORD, NOTIFY).contains(event.stateEnteredEventDetails().name())) {
                return summaryOf(event.stateEnteredEventDetails().input(), true);
            }
        }
        return Optional.empty();
    }

    private static Optional<Summary> summaryOf(String text, boolean notSent) {
        if (text == null || !text.startsWith("{")) {
            return Optional.empty();
        }
        try {
            SummaryDocument document = Json.read(text, SummaryDocument.class);
            return document.outcome() == null ? Optional.empty() : Optional.of(new Summary(document.outcome(), document.reason(),
                    document.services(), notSent || document.notifyFailed() != null));
        } catch (IllegalArgumentException notASummary) {
            return Optional.empty();
        }
    }

    /** Reads the end of the history, newest first: Notify and Record are the release's last Task states. */
    @Override
    public boolean notified(String releaseExecutionArn) {
        GetExecutionHistoryResponse response = AwsCall.run("states:GetExecutionHistory " + releaseExecutionArn, () ->
                sfn.get().getExecutionHistory(r -> r.executionArn(releaseExecutionArn).reverseOrder(true).maxResults(PAGE)));
        for (HistoryEvent event : response.events()) {
            if (event.stateExitedEventDetails() != null && NOTIFY.equals(event.stateExitedEventDetails().name())) {
                return true;
            }
            if (event.stateEnteredEventDetails() != null && RECORD.equals(event.stateEnteredEventDetails().name())) {
                return false;
            }
        }
        return false;
    }

    @Override
    public Optional<Run> run(String name) {
        String arn = deployStateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
        Optional<DescribeExecutionResponse> found = AwsCall.run("states:DescribeExecution " + arn, () -> {
            try {
                return Optional.of(sfn.get().describeExecution(r -> r.executionArn(arn)));
            } catch (ExecutionDoesNotExistException absent) {
                return Optional.<DescribeExecutionResponse>empty();
            }
        });
        return found.map(execution -> {
            Object request = execution.output() == null ? null : Json.member(Json.parse(execution.output()), "request");
            Object decision = Json.member(request, "decision");
            Object previous = Json.member(request, "previousTaskDefinition");
            return new Run(execution.statusAsString(), execution.error(),
                    decision(decision), previous instanceof String p ? p : null);
        });
    }

    @Override
    public boolean startRollback(String name, Rollback rollback) {
        String input = Json.write(new RollbackInput("rollback", rollback.service(), rollback.to(), rollback.reason(), rollback.undoes()));
        return AwsCall.run("states:StartExecution " + name, () -> {
            try {
                sfn.get().startExecution(r -> r.stateMachineArn(deployStateMachineArn).name(name).input(input));
                return true;
            } catch (ExecutionAlreadyExistsException exists) {
                return false;
            }
        });
    }

    private static Decision decision(Object value) {
        return Arrays.stream(Decision.values()).filter(d -> d.name().equals(value)).findFirst().orElse(null);
    }

    /** The deployment workflow's input for a rollback, as the release workflow's RollBackService state gives it. */
    record RollbackInput(String action, String service, String to, String reason, String undoes) {
    }
}
