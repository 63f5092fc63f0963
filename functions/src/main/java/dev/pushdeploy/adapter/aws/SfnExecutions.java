package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.ledger.Executions;
import dev.pushdeploy.ledger.Finalizer;
import dev.pushdeploy.model.StepError;
import dev.pushdeploy.ledger.RunHistory;
import dev.pushdeploy.adapter.json.InputParser;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.request.ExecutionIntents;
import dev.pushdeploy.request.Intent;
import dev.pushdeploy.request.Pipeline;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import java.util.function.Supplier;

/**
 * Step Functions, as the pipeline reads its own executions: the input one was started with
 * (DescribeExecution, read by {@link InputParser}), whether one still runs, and the newest state document of its history
 * (GetExecutionHistory, newest first; an emulator that ignores the order is read to the end).
 */
public final class SfnExecutions implements ExecutionIntents, Executions, RunHistory {
    private static final int PAGE = 100;
    /**
     * Pages read at most: four times what an execution's history fills (at most 25,000 events, Step Functions' quota), as a
     * page may hold fewer events than asked for; more is an endless answer.
     */
    static final int MAX_HISTORY_PAGES = 4 * 25_000 / PAGE;

    private final Supplier<SfnClient> sfn;

    /** @param sfn the client, built on first use (a path that never calls it never builds it) */
    public SfnExecutions(Supplier<SfnClient> sfn) {
        this.sfn = sfn;
    }

    /** The input as given to StartExecution, read strictly, from the execution's own account and region only. */
    @Override
    public Intent intent(String executionArn) {
        Pipeline pipeline;
        try {
            pipeline = Pipeline.ofExecution(executionArn);
        } catch (InvalidRequestException e) {
            return new Intent.Invalid(e.getMessage());
        }
        return InputParser.intent(describe(executionArn).input(), pipeline);
    }

    @Override
    public Optional<Instant> endedAt(String executionArn) {
        try {
            DescribeExecutionResponse execution = describe(executionArn);
            if (execution.status() == ExecutionStatus.RUNNING || execution.status() == ExecutionStatus.PENDING_REDRIVE) {
                return Optional.empty();
            }
            return Optional.of(execution.stopDate() != null ? execution.stopDate() : execution.startDate());
        } catch (AwsFailureException unknown) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<LastState> lastState(String executionArn) {
        HistoryEvent newest = null;
        String token = null;
        int pages = 0;
        do {
            if (++pages > MAX_HISTORY_PAGES) {
                throw new AwsFailureException("states:GetExecutionHistory " + executionArn + " answered more than "
                        + MAX_HISTORY_PAGES + " pages, four times what an execution's history of at most 25,000 events fills", null);
            }
            String page = token;
            GetExecutionHistoryResponse response = AwsCall.run("states:GetExecutionHistory " + executionArn, () ->
                    sfn.get().getExecutionHistory(r -> r.executionArn(executionArn).reverseOrder(true).maxResults(PAGE).nextToken(page)));
            List<HistoryEvent> events = response.events();
            for (HistoryEvent event : events) {
                if (event.stateEnteredEventDetails() != null && event.stateEnteredEventDetails().input() != null
                        && (newest == null || event.id() > newest.id())) {
                    newest = event;
                }
            }
            boolean newestFirst = events.size() < 2 || events.get(0).id() > events.get(events.size() - 1).id();
            token = newest != null && newestFirst ? null : response.nextToken();
        } while (token != null);
        if (newest == null) {
            return Optional.empty();
        }
        String document = newest.stateEnteredEventDetails().input();
        Object finalizeError = Json.member(Json.parse(document), "finalizeError");
        return Optional.of(new LastState(newest.stateEnteredEventDetails().name(), Json.read(document, Finalizer.Input.class),
                finalizeError instanceof java.util.Map ? Json.read(Json.write(finalizeError), StepError.class) : null));
    }

    private DescribeExecutionResponse describe(String executionArn) {
        return AwsCall.run("states:DescribeExecution " + executionArn, () -> sfn.get().describeExecution(r -> r.executionArn(executionArn)));
    }
}
