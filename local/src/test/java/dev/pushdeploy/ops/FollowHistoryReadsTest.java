package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Following a run reads its whole history once, then each poll only the events newer than the last it has: newest
 * first, one page per {@code page} new events (one when none is new), never from the start again. A reader more than
 * three pages behind reads the whole history again instead. What it prints is what one read of the whole history
 * prints.
 */
class FollowHistoryReadsTest {
    private static final String ARN = "arn:aws:states:us-east-1:1:execution:deploy:run";
    private static final int NEWER_PAGES = StepFunctions.NEWER_PAGES;

    @ParameterizedTest(name = "pages of {0}, new events per poll {1}")
    @CsvSource(delimiter = '|', value = {
        "1000 | 1 0 3 997 1000 1001 2500",
        "1000 | 2999 1 0 0 2",
        "300  | 40 1 299 300 301 900",
        "1000 | 5 3001 2 4500 1",
        "300  | 1200 901 0 7"})
    void eachPollReadsOnlyTheNewerEvents(int page, String growth) {
        int[] added = Arrays.stream(growth.trim().split(" +")).mapToInt(Integer::parseInt).toArray();
        GrowingHistory sfn = new GrowingHistory(page);
        List<List<GetExecutionHistoryRequest>> polls = new ArrayList<>();
        int[] poll = {0};
        List<String> lines = new ArrayList<>();

        new ExecutionWatcher(new StepFunctions(sfn), ARN, l -> lines.add(l.format())).await((arn, wait) -> {
            if (poll[0] > 0) {
                polls.add(List.copyOf(sfn.calls));
            }
            sfn.calls.clear();
            sfn.grow(added[poll[0]]);
            return ++poll[0] == added.length;
        }, true, Duration.ofSeconds(30));
        polls.add(List.copyOf(sfn.calls));

        int total = 0;
        for (int i = 0; i < added.length; i++) {
            total += added[i];
            List<GetExecutionHistoryRequest> calls = polls.get(i);
            String where = "poll " + (i + 1) + " (" + added[i] + " new of " + total + ")";
            int pages = i == 0 ? 0 : Math.max(1, ceil(added[i], page));
            int newer = Math.min(pages, NEWER_PAGES);
            int whole = i == 0 || pages > NEWER_PAGES ? ceil(total, page) : 0;
            assertEquals(newer + whole, calls.size(), where + ": calls " + describe(calls));
            for (int c = 0; c < calls.size(); c++) {
                boolean reverse = c < newer;
                assertEquals(reverse, Boolean.TRUE.equals(calls.get(c).reverseOrder()), where + ", call " + (c + 1) + ": " + describe(calls));
                assertEquals(c == 0 || c == newer, calls.get(c).nextToken() == null, where + ", call " + (c + 1) + " starts a read: " + describe(calls));
            }
        }

        List<String> once = new ArrayList<>();
        new ExecutionWatcher(new StepFunctions(sfn), ARN, l -> once.add(l.format())).await((arn, wait) -> true, false, Duration.ofSeconds(5));
        assertEquals((total + 1) / 2, once.size(), "one line per state");
        assertEquals(once, lines, "what a poll prints is what one read of the whole history prints");
    }

    /**
     * A read of the newer events answers the whole history, as a full read does, however the service answers: a page
     * behind the last event read (another replica), every event oldest first whatever is asked (moto's own
     * GetExecutionHistory), a page that misses an event (read again whole), a server error (read again).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "as Step Functions does    | 1 | false",
        "stale                     | 1 | false",
        "oldest first, all at once | 1 | false",
        "missing an event          | 1 | true",
        "server error once         | 2 | false"})
    void theNewerEventsJoinOnWhateverTheAnswer(String answer, int newestFirst, boolean whole) {
        GrowingHistory sfn = new GrowingHistory(1000);
        StepFunctions reader = new StepFunctions(sfn);
        sfn.grow(10);
        JsonNode known = reader.history(ARN);
        sfn.grow(7);
        int[] errors = {answer.equals("server error once") ? 1 : 0};
        sfn.answer = request -> switch (answer) {
            case "stale" -> GetExecutionHistoryResponse.builder().events(sfn.events.subList(0, 8).reversed()).nextToken("r1").build();
            case "oldest first, all at once" -> GetExecutionHistoryResponse.builder().events(sfn.events).build();
            case "missing an event" -> Boolean.TRUE.equals(request.reverseOrder()) ? GetExecutionHistoryResponse.builder()
                    .events(sfn.events.stream().filter(e -> e.id() != 13).toList().reversed()).build() : null;
            case "server error once" -> {
                if (errors[0]-- > 0) {
                    throw SdkServiceException.builder().statusCode(503).build();
                }
                yield null;
            }
            default -> null;
        };

        ArrayNode read = reader.history(ARN, (ArrayNode) known);
        List<GetExecutionHistoryRequest> calls = List.copyOf(sfn.calls.subList(1, sfn.calls.size()));
        sfn.answer = request -> null;

        assertEquals(answer.equals("stale") ? known : reader.history(ARN), read);
        assertEquals(10, known.size(), "what was read before is kept as it was");
        assertEquals(newestFirst, calls.stream().filter(r -> Boolean.TRUE.equals(r.reverseOrder())).count(), describe(calls));
        assertEquals(whole ? 1 : 0, calls.stream().filter(r -> !Boolean.TRUE.equals(r.reverseOrder())).count(), describe(calls));
    }

    /** The end of a run read after its polls: only its newer events; what was read before when the service keeps failing. */
    @org.junit.jupiter.api.Test
    void theEndedHistoryIsReadAfterWhatIsKnown() {
        GrowingHistory sfn = new GrowingHistory(1000);
        StepFunctions reader = new StepFunctions(sfn);
        sfn.grow(3);
        ArrayNode known = reader.history(ARN);
        sfn.grow(2);
        sfn.calls.clear();
        ArrayNode ended = reader.endedHistory(ARN, known);
        assertEquals("[newest-first]", describe(sfn.calls));
        assertEquals(reader.history(ARN), ended);

        sfn.answer = request -> {
            throw SdkServiceException.builder().statusCode(500).build();
        };
        assertEquals(known, reader.endedHistory(ARN, known));
    }

    private static int ceil(int events, int page) {
        return (events + page - 1) / page;
    }

    private static String describe(List<GetExecutionHistoryRequest> calls) {
        return calls.stream().map(r -> (Boolean.TRUE.equals(r.reverseOrder()) ? "newest-first" : "oldest-first")
                + (r.nextToken() == null ? "" : "+token")).toList().toString();
    }

    /**
     * An execution whose history grows on demand (events 1, 2, ...: each state entered, then exited), answered as Step
     * Functions answers: at most {@code page} events a call (fewer than maxResults asks, as the API allows), either
     * order, a token for the rest. Each call is recorded.
     */
    static final class GrowingHistory implements SfnClient {
        final List<HistoryEvent> events = new ArrayList<>();
        final List<GetExecutionHistoryRequest> calls = new ArrayList<>();
        private final int page;
        private final Instant start = Instant.parse("2026-12-03T10:00:00Z");

        GrowingHistory(int page) {
            this.page = page;
        }

        void grow(int count) {
            for (int i = 0; i < count; i++) {
                long id = events.size() + 1;
                HistoryEvent.Builder event = HistoryEvent.builder().id(id).previousEventId(id - 1).timestamp(start.plusSeconds(id));
                String state = "S" + id / 2;
                events.add((id % 2 == 0 ? event.type("PassStateEntered").stateEnteredEventDetails(d -> d.name(state))
                        : event.type("PassStateExited").stateExitedEventDetails(d -> d.name(state)
                        .output("{\"result\":{\"outcome\":\"N" + id + "\"}}"))).build());
            }
        }

        /** Answers instead of the history when it answers anything (null: the history answers). */
        java.util.function.Function<GetExecutionHistoryRequest, GetExecutionHistoryResponse> answer = request -> null;

        @Override
        public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest request) {
            calls.add(request);
            GetExecutionHistoryResponse instead = answer.apply(request);
            if (instead != null) {
                return instead;
            }
            boolean reverse = Boolean.TRUE.equals(request.reverseOrder());
            int size = Math.min(page, request.maxResults() == null || request.maxResults() == 0 ? 100 : request.maxResults());
            List<HistoryEvent> ordered = new ArrayList<>(events);
            if (reverse) {
                java.util.Collections.reverse(ordered);
            }
            if (request.nextToken() != null) {
                long after = Long.parseLong(request.nextToken().substring(1));
                ordered.removeIf(e -> reverse ? e.id() >= after : e.id() <= after);
            }
            List<HistoryEvent> answer = ordered.subList(0, Math.min(size, ordered.size()));
            return GetExecutionHistoryResponse.builder().events(answer)
                    .nextToken(ordered.size() > size ? (reverse ? "r" : "f") + answer.get(size - 1).id() : null).build();
        }

        @Override
        public DescribeExecutionResponse describeExecution(DescribeExecutionRequest request) {
            return DescribeExecutionResponse.builder().executionArn(request.executionArn()).status("SUCCEEDED").build();
        }

        @Override
        public String serviceName() {
            return "states";
        }

        @Override
        public void close() {
        }
    }
}
