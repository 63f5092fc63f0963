package dev.pushdeploy.handler;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.SsmReleaseParameters;
import dev.pushdeploy.adapter.http.PresignedUrlPut;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.config.Ipv4Range;
import dev.pushdeploy.config.RollingLimits;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.ledger.ReleaseParameterNames;
import dev.pushdeploy.ledger.ReleaseParameterSeed;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Text;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * ReleaseParameters: the custom resource that creates the release parameters the stack reads
 * ({@link ReleaseParameterSeed}), so the first {@code sam deploy} needs none made by hand.
 * CloudFormation's custom-resource protocol: the request is the event; the answer is PUT to its
 * presigned {@code ResponseURL} — always, also when the request is bad or a call fails (FAILED,
 * with the reason), since CloudFormation otherwise waits out the resource's ServiceTimeout.
 * Create and Update create what is missing; Delete changes nothing (the parameters outlive the
 * stack, with the last release in them). Create and Update first check the stack's settings that no parameter
 * constraint or template rule can (those need arithmetic), and fail, naming what is wrong, so that the stack's create
 * or update rolls back where it would otherwise succeed and later runs fail: the configuration document the stack
 * wrote ({@code Configuration}), read as every pipeline function reads it; VPC ranges that must not overlap
 * ({@code NetworkRanges}: name to CIDR block); the rolling limits of the services that have their own ({@code Rolling}),
 * each of which must let ECS replace a task. An Update checks only what it changes from settings that pass, so that
 * CloudFormation's rollback of a failed update (one more Update, back to the properties the stack had) goes through.
 */
public final class ReleaseParametersHandler extends StepHandler<ReleaseParametersHandler.Request, ReleaseParametersHandler.Answer> {
    static final String PHYSICAL_ID = "pushdeploy-release-parameters";
    /** CloudFormation reads at most 4,096 bytes of a response; the reason is cut well below. */
    static final int REASON_MAX = 1000;
    /** Shaped as CloudFormation's presigned response URLs are; priming never sends to it. */
    static final String PRIMING_RESPONSE_URL = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/snapstart-priming";

    /** The fields of CloudFormation's request that this resource reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Request(@JsonProperty("RequestType") String requestType, @JsonProperty("ResponseURL") String responseUrl,
                          @JsonProperty("StackId") String stackId, @JsonProperty("RequestId") String requestId,
                          @JsonProperty("LogicalResourceId") String logicalResourceId,
                          @JsonProperty("PhysicalResourceId") String physicalResourceId,
                          @JsonProperty("ResourceProperties") Map<String, Object> properties,
                          @JsonProperty("OldResourceProperties") Map<String, Object> oldProperties) {
    }

    /**
     * The resource's properties: the prefix every name must lie under, the names, and the stack's configuration document
     * (null when the resource names none). Read from the request's plain JSON (not bound), so that properties of another
     * shape are answered FAILED, and a Delete SUCCESS, rather than left unanswered.
     */
    record Properties(String prefix, List<String> names, String configuration, Map<String, String> networkRanges,
                      List<Map<String, Object>> rolling) {
        static Properties of(Map<String, Object> raw) {
            Object prefix = raw == null ? null : raw.get("Prefix");
            Object names = raw == null ? null : raw.get("Names");
            Object configuration = raw == null ? null : raw.get("Configuration");
            Map<String, String> networkRanges = strings(raw, "NetworkRanges");
            List<Map<String, Object>> rolling = maps(raw, "Rolling");
            if (configuration != null && !(configuration instanceof String)) {
                throw new InvalidRequestException("Configuration", "must be the configuration document as a string, got "
                        + Text.atMost(String.valueOf(configuration), 200));
            }
            if (prefix != null && !(prefix instanceof String)) {
                throw new InvalidRequestException("Prefix", "must be one parameter path, got " + Text.atMost(String.valueOf(prefix), 200));
            }
            if (names != null && !(names instanceof List<?> list && list.stream().allMatch(String.class::isInstance))) {
                throw new InvalidRequestException("Names", "must be a list of parameter names, got " + Text.atMost(String.valueOf(names), 200));
            }
            @SuppressWarnings("unchecked")
            List<String> listed = (List<String>) names;
            return new Properties((String) prefix, listed, (String) configuration, networkRanges, rolling);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, String> strings(Map<String, Object> raw, String property) {
            Object value = raw == null ? null : raw.get(property);
            if (value != null && !(value instanceof Map<?, ?> map && map.values().stream().allMatch(String.class::isInstance))) {
                throw new InvalidRequestException(property, "must be an object of strings, got " + Text.atMost(String.valueOf(value), 200));
            }
            return (Map<String, String>) value;
        }

        @SuppressWarnings("unchecked")
        private static List<Map<String, Object>> maps(Map<String, Object> raw, String property) {
            Object value = raw == null ? null : raw.get(property);
            if (value != null && !(value instanceof List<?> list && list.stream().allMatch(Map.class::isInstance))) {
                throw new InvalidRequestException(property, "must be a list of objects, got " + Text.atMost(String.valueOf(value), 200));
            }
            return (List<Map<String, Object>>) value;
        }

        /** The settings no parameter constraint or template rule can check; each refused naming what is wrong. */
        void checkSettings() {
            checkSettings(null);
        }

        /**
         * As {@link #checkSettings()}, for an Update from {@code before} (null: a Create): a setting is checked only when it
         * changes from one the check passes. CloudFormation rolls a failed update back with another Update to the properties
         * the stack had, which must not be refused when this version's check refuses what an older one accepted; and a setting
         * the stack already runs with is no reason to refuse an update that leaves it as it is.
         */
        void checkSettings(Properties before) {
            check(configuration, before == null ? null : before.configuration, before != null, Properties::checkConfiguration);
            check(networkRanges, before == null ? null : before.networkRanges, before != null, Properties::checkRanges);
            for (Map<String, Object> service : rolling == null ? List.<Map<String, Object>>of() : rolling) {
                Map<String, Object> was = before == null || before.rolling == null ? null : before.rolling.stream()
                        .filter(old -> Objects.equals(old.get("Service"), service.get("Service"))).findFirst().orElse(null);
                check(service, was, before != null, Properties::checkRolling);
            }
        }

        private static <T> void check(T value, T before, boolean update, Consumer<T> check) {
            if (value == null || update && (value.equals(before) || before != null && refused(before, check))) {
                return;
            }
            check.accept(value);
        }

        private static <T> boolean refused(T value, Consumer<T> check) {
            try {
                check.accept(value);
                return false;
            } catch (InvalidRequestException e) {
                return true;
            }
        }

        private static void checkConfiguration(String configuration) {
            try {
                ConfigParser.parse(configuration);
            } catch (ConfigurationException e) {
                throw new InvalidRequestException("Configuration", "the stack's settings make a configuration document every"
                        + " pipeline function refuses: " + e.getMessage());
            }
        }

        private static void checkRanges(Map<String, String> networkRanges) {
            Optional<String> overlap;
            try {
                overlap = Ipv4Range.overlapping(networkRanges);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("NetworkRanges", e.getMessage());
            }
            if (overlap.isPresent()) {
                throw new InvalidRequestException("NetworkRanges", overlap.get() + " overlap: a Transit Gateway does not route"
                        + " between VPCs whose ranges overlap; choose ranges apart");
            }
        }

        private static void checkRolling(Map<String, Object> service) {
            String stall = RollingLimits.stall(number(service, "DesiredCount"), number(service, "MinimumHealthyPercent"),
                    number(service, "MaximumPercent"));
            if (stall != null) {
                throw new InvalidRequestException("Rolling", "service " + service.get("Service") + ": " + stall);
            }
        }

        private static int number(Map<String, Object> service, String name) {
            Object value = service.get(name);
            try {
                return Integer.parseInt(String.valueOf(value));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("Rolling", name + " must be a whole number, got " + value);
            }
        }
    }

    /** What the function answers (CloudFormation reads the PUT response, not this). */
    public record Answer(String status, List<String> created) {
    }

    private final ReleaseParameterSeed seed;
    private final BiConsumer<String, byte[]> responses;

    /** Wired from the environment, as Lambda runs it. */
    public ReleaseParametersHandler() {
        this(new ReleaseParameterSeed(new SsmReleaseParameters(Aws.ssm())), new PresignedUrlPut(Duration.ofSeconds(10))::put);
    }

    /** @param responses sends a response body to a response URL */
    public ReleaseParametersHandler(ReleaseParameterSeed seed, BiConsumer<String, byte[]> responses) {
        super(Request.class, "ReleaseParameters");
        this.seed = seed;
        this.responses = responses;
    }

    @Override
    protected Answer handle(Request request, StepLog log) {
        if (request.responseUrl() == null || request.responseUrl().isBlank()) {
            throw new InvalidRequestException("ResponseURL", "missing: not a CloudFormation custom resource request");
        }
        Map<String, Object> response = new LinkedHashMap<>();
        List<String> created = List.of();
        try {
            created = apply(request);
            log.info("release parameters ready", "request", request.requestType(), "created", created);
            response.put("Status", "SUCCESS");
            response.put("Data", Map.of("Created", Integer.toString(created.size())));
        } catch (RuntimeException | LinkageError e) { // a class that cannot load must not leave CloudFormation unanswered
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            String reason = Text.atMost(message, REASON_MAX);
            log.error("release parameters failed", "request", request.requestType(), "reason", reason);
            response.put("Status", "FAILED");
            response.put("Reason", reason);
        }
        response.put("PhysicalResourceId", request.physicalResourceId() == null ? PHYSICAL_ID : request.physicalResourceId());
        response.put("StackId", request.stackId());
        response.put("RequestId", request.requestId());
        response.put("LogicalResourceId", request.logicalResourceId());
        responses.accept(request.responseUrl(), Json.write(response).getBytes(StandardCharsets.UTF_8));
        return new Answer((String) response.get("Status"), created);
    }

    /**
     * A Create of the first service's release parameters under the stack's prefix (the configuration's), as the template's
     * resource asks for them: their creation is answered in the process, and the answer to CloudFormation is not sent.
     */
    @Override
    protected Request primingInput(PrimingSample sample) {
        String prefix = sample.config().releaseParameterPrefix();
        ReleaseParameterNames release = new ReleaseParameterNames(prefix, sample.target().cluster(), sample.target().service());
        List<String> names = new ArrayList<>(List.of(release.image()));
        sample.target().secrets().forEach(secret -> names.add(release.secret(secret.name())));
        return new Request("Create", PRIMING_RESPONSE_URL, PrimingSample.REQUEST_ID, PrimingSample.REQUEST_ID,
                "ReleaseParameters", null, Map.of("Prefix", prefix, "Names", names), null);
    }

    /**
     * Create and Update create the missing names; an Update that moved them (another prefix: OldResourceProperties name
     * the ones it had) carries each old name's release over to the name it became, so the stack does not read "none" and
     * fall back to its bootstrap revision.
     */
    private List<String> apply(Request request) {
        return switch (request.requestType() == null ? "" : request.requestType()) {
            case "Create" -> {
                Properties properties = Properties.of(request.properties());
                properties.checkSettings();
                yield seed.ensure(properties.prefix(), properties.names());
            }
            case "Update" -> {
                Properties properties = Properties.of(request.properties());
                Properties old = Properties.of(request.oldProperties());
                properties.checkSettings(old);
                yield seed.ensure(properties.prefix(), properties.names(), old.prefix(), old.names());
            }
            case "Delete" -> List.of();
            default -> throw new InvalidRequestException("RequestType", "must be Create, Update or Delete, got " + request.requestType());
        };
    }
}
