package dev.pushdeploy.adapter.json;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.request.ScanGate;
import dev.pushdeploy.request.Fields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import dev.pushdeploy.model.Text;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads and validates the configuration document; every error names the offending field. */
public final class ConfigParser {
    static final Pattern REPOSITORY = Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
    static final Pattern ECS_NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final Pattern PARAMETER = Pattern.compile("(/[A-Za-z0-9_.-]+){1,14}");
    /**
     * A release parameter prefix: Parameter Store's names have at most 15 levels and the pipeline appends 4
     * ({@code /<cluster>/<service>/secret/<NAME>}), as the template's ReleaseParameterPrefix says.
     */
    static final Pattern RELEASE_PREFIX = Pattern.compile("(/[A-Za-z0-9_.-]+){1,11}");
    static final int RELEASE_PREFIX_MAX_LENGTH = 794;
    /**
     * Names Parameter Store refuses to create: "A parameter name can't be prefixed with "aws" or "ssm"
     * (case-insensitive)", the leading '/' aside (PutParameter Name). The pipeline writes under the release prefix and
     * each secret's parameter; a master parameter it only reads (/aws/reference/secretsmanager/...).
     */
    static final Pattern RESERVED_PARAMETER = Pattern.compile("/?(?i:aws|ssm).*");
    static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,60}");
    static final Set<String> SEVERITIES = Set.of("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL");
    /** CloudWatch alarm names: 1 to 255 characters, no control characters. */
    static final Pattern ALARM_NAME = Pattern.compile("[^\\p{Cntrl}]{1,255}");
    static final int MAX_ALARMS = 10;
    /** ECS's quota of tasks per service. */
    static final int MAX_TASKS = 5000;
    /** A header name as an ALB http-header rule condition takes one: an RFC 7230 token of at most 40 characters. */
    static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}");
    /**
     * Header names the smoke probe's HTTP client sets itself or will not send (framing, hop-by-hop, CORS): a test
     * listener rule on one of them would never see the value configured. Host is also one ALB refuses in an
     * http-header condition (a host condition matches it).
     */
    private static final Set<String> CLIENT_HEADERS = Set.of("access-control-request-headers",
            "access-control-request-method", "connection", "content-length", "content-transfer-encoding", "expect",
            "host", "keep-alive", "origin", "te", "trailer", "transfer-encoding", "upgrade", "via");
    static final int MAX_URL = 2048;
    static final Pattern HTTP_URL = Pattern.compile("https?://[^\\s\"\\\\/@?#]+([/?#][^\\s\"\\\\]*)?");
    static final Pattern HEADER_VALUE = Pattern.compile("[A-Za-z0-9._~+/=-]{1,128}");
    private static final Set<String> ROOT_MEMBERS = Set.of("targets", "kmsKeyId", "releaseParameterPrefix", "rollBackStoppedRuns");
    private static final Set<String> TARGET_MEMBERS = Set.of("repository", "cluster", "service", "container", "tagPattern", "secrets",
            "health", "scanSeverity", "keepRevisions", "scanDeadlineSeconds", "strategy", "desiredCount");
    private static final Set<String> SECRET_MEMBERS = Set.of("name", "kind", "parameter", "length", "host", "port", "database", "role",
            "usernameEnv", "masterParameter");
    private static final Set<String> HEALTH_MEMBERS = Set.of("smokeUrl", "expectedStatus", "bakeSeconds", "deadlineSeconds", "alarms");
    private static final Set<String> STRATEGY_MEMBERS = Set.of("type", "testUrl", "testHeader", "testHeaderValue", "canaryPercent",
            "canaryBakeMinutes", "stepPercent", "stepBakeMinutes", "bakeMinutes");

    private ConfigParser() {
    }

    public static PipelineConfig parse(String document) {
        Object root;
        try {
            root = Json.parseStrict(document);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("configuration: " + e.getMessage());
        }
        if (!(root instanceof Map)) {
            throw new ConfigurationException("configuration: must be a JSON object");
        }
        only(root, ROOT_MEMBERS, "configuration", "the configuration");
        if (!(Json.member(root, "targets") instanceof List<?> targets) || targets.isEmpty()) {
            throw new ConfigurationException("targets: must be a non-empty array");
        }
        List<Target> parsed = new ArrayList<>();
        Set<String> repositories = new HashSet<>();
        Set<String> services = new HashSet<>();
        for (int i = 0; i < targets.size(); i++) {
            Target target = target(targets.get(i), "targets[" + i + "]");
            if (!repositories.add(target.repository())) {
                throw new ConfigurationException("targets[" + i + "].repository: " + target.repository() + " is mapped twice");
            }
            if (!services.add(target.serviceKey())) {
                throw new ConfigurationException("targets[" + i + "].service: " + target.serviceKey() + " is targeted twice");
            }
            parsed.add(target);
        }
        eachParameterOnce(parsed);
        String kmsKeyId = optionalText(root, "kmsKeyId", "kmsKeyId");
        String prefix = optionalText(root, "releaseParameterPrefix", "releaseParameterPrefix");
        if (prefix != null && (!RELEASE_PREFIX.matcher(prefix).matches() || prefix.length() > RELEASE_PREFIX_MAX_LENGTH)) {
            throw new ConfigurationException("releaseParameterPrefix: '" + Text.atMost(prefix, 200) + "' must match "
                    + RELEASE_PREFIX.pattern() + " (at most 11 levels, " + RELEASE_PREFIX_MAX_LENGTH + " characters: Parameter Store"
                    + " allows 15 levels and the pipeline appends 4)");
        }
        if (prefix != null && RESERVED_PARAMETER.matcher(prefix).matches()) {
            throw new ConfigurationException("releaseParameterPrefix: '" + Text.atMost(prefix, 200) + "' starts with aws or ssm,"
                    + " which Parameter Store refuses at the start of a parameter name");
        }
        Object rollBack = Json.member(root, "rollBackStoppedRuns");
        if (rollBack != null && !(rollBack instanceof Boolean)) {
            throw new ConfigurationException("rollBackStoppedRuns: must be true or false");
        }
        return new PipelineConfig(parsed, kmsKeyId, prefix != null ? prefix : PipelineConfig.DEFAULT_RELEASE_PARAMETER_PREFIX,
                rollBack == null || (Boolean) rollBack, null);
    }

    private static Target target(Object node, String at) {
        requireObject(node, at);
        only(node, TARGET_MEMBERS, at, "a target");
        String repository = text(node, "repository", at, REPOSITORY);
        String cluster = text(node, "cluster", at, ECS_NAME);
        String service = text(node, "service", at, ECS_NAME);
        String container = text(node, "container", at, ECS_NAME);
        Pattern tagPattern = tagPattern(node, at);
        List<SecretSpec> secrets = new ArrayList<>();
        Object secretsNode = Json.member(node, "secrets");
        if (secretsNode != null) {
            if (!(secretsNode instanceof List<?> secretNodes)) {
                throw new ConfigurationException(at + ".secrets: must be an array");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < secretNodes.size(); i++) {
                SecretSpec secret = secret(secretNodes.get(i), at + ".secrets[" + i + "]");
                if (!names.add(secret.name())) {
                    throw new ConfigurationException(at + ".secrets[" + i + "].name: " + secret.name() + " is declared twice");
                }
                secrets.add(secret);
            }
        }
        Health health = health(Json.member(node, "health"), at + ".health");
        String severity = optionalText(node, "scanSeverity", at + ".scanSeverity");
        if (severity != null) {
            severity = severity.toUpperCase(Locale.ROOT);
            if (!SEVERITIES.contains(severity)) {
                throw new ConfigurationException(at + ".scanSeverity: must be one of " + SEVERITIES);
            }
        }
        int keep = integer(node, "keepRevisions", at, 10, 2, 1000);
        int scanDeadline = integer(node, "scanDeadlineSeconds", at, ScanGate.DEFAULT_DEADLINE_SECONDS, 10, ScanGate.DEFAULT_DEADLINE_SECONDS);
        Strategy strategy = strategy(Json.member(node, "strategy"), at + ".strategy");
        fitsTheLongestDeadline(strategy, health, at + ".strategy");
        int desiredCount = integer(node, "desiredCount", at, Target.DEFAULT_DESIRED_COUNT, 1, MAX_TASKS);
        return new Target(repository, cluster, service, container, tagPattern, secrets, health, severity, keep, scanDeadline, strategy,
                desiredCount);
    }

    private static Pattern tagPattern(Object node, String at) {
        String regex = optionalText(node, "tagPattern", at + ".tagPattern");
        if (regex == null) {
            return Pattern.compile(".+");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ConfigurationException(at + ".tagPattern: not a valid regular expression: " + e.getDescription());
        }
    }

    private static SecretSpec secret(Object node, String at) {
        requireObject(node, at);
        only(node, SECRET_MEMBERS, at, "a secret");
        String name = text(node, "name", at, ENV_NAME);
        String kindText = text(node, "kind", at, null);
        SecretSpec.Kind kind = constant(SecretSpec.Kind.class, kindText, at + ".kind", "random or postgres");
        String parameter = text(node, "parameter", at, PARAMETER);
        if (RESERVED_PARAMETER.matcher(parameter).matches()) {
            throw new ConfigurationException(at + ".parameter: '" + parameter + "' starts with aws or ssm, which Parameter Store"
                    + " refuses at the start of a parameter name (the pipeline writes its slots under it)");
        }
        int length = integer(node, "length", at, 48, 16, 1024);
        SecretSpec.Postgres postgres = null;
        if (kind == SecretSpec.Kind.POSTGRES) {
            postgres = new SecretSpec.Postgres(
                    text(node, "host", at, SecretSpec.Postgres.HOST),
                    integer(node, "port", at, 5432, 1, 65535),
                    text(node, "database", at, ROLE),
                    role(node, at),
                    text(node, "usernameEnv", at, ENV_NAME),
                    text(node, "masterParameter", at, PARAMETER));
        }
        return new SecretSpec(name, kind, parameter, length, postgres);
    }

    /** A database role: PostgreSQL refuses to create a role whose name starts with pg_ ("reserved"), as the rotation would. */
    private static String role(Object node, String at) {
        String role = text(node, "role", at, ROLE);
        if (role.startsWith("pg_")) {
            throw new ConfigurationException(at + ".role: '" + role + "' starts with pg_, which PostgreSQL reserves for its own roles;"
                    + " choose another name");
        }
        return role;
    }

    private static Health health(Object node, String at) {
        if (node == null) {
            return Health.DEFAULT;
        }
        requireObject(node, at);
        only(node, HEALTH_MEMBERS, at, "health");
        String smokeUrl = optionalText(node, "smokeUrl", at + ".smokeUrl");
        if (smokeUrl != null) {
            httpUrl(smokeUrl, at + ".smokeUrl");
        }
        return new Health(
                smokeUrl,
                integer(node, "expectedStatus", at, 200, 100, 599),
                integer(node, "bakeSeconds", at, 0, 0, 3600),
                integer(node, "deadlineSeconds", at, 900, 60, Health.MAX_DEADLINE_SECONDS),
                alarms(Json.member(node, "alarms"), at + ".alarms"));
    }

    private static List<String> alarms(Object node, String at) {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof List<?> list) || list.size() > MAX_ALARMS) {
            throw new ConfigurationException(at + ": must be an array of at most " + MAX_ALARMS + " alarm names");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String name) || !ALARM_NAME.matcher(name).matches() || name.isBlank()) {
                throw new ConfigurationException(at + "[" + i + "]: must be a CloudWatch alarm name (1 to 255 characters)");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * The strategy: ROLLING when absent; the traffic-shifting ones need the test listener's URL,
     * header and value (the hook requests the new revision through it).
     */
    private static Strategy strategy(Object node, String at) {
        if (node == null) {
            return Strategy.ROLLING;
        }
        requireObject(node, at);
        only(node, STRATEGY_MEMBERS, at, "a strategy");
        String typeText = text(node, "type", at, null);
        Strategy.Type type = constant(Strategy.Type.class, typeText, at + ".type", "one of ROLLING, BLUE_GREEN, CANARY, LINEAR");
        if (!type.shiftsTraffic()) {
            return Strategy.ROLLING;
        }
        String url = httpUrl(text(node, "testUrl", at, null), at + ".testUrl");
        Strategy.Shift d = Strategy.Shift.DEFAULT;
        Strategy.Shift shift = new Strategy.Shift(percent(node, "canaryPercent", at, d.canaryPercent(), 0.1),
                integer(node, "canaryBakeMinutes", at, d.canaryBakeMinutes(), 0, 1440),
                percent(node, "stepPercent", at, d.stepPercent(), 3),
                integer(node, "stepBakeMinutes", at, d.stepBakeMinutes(), 0, 1440),
                integer(node, "bakeMinutes", at, d.bakeMinutes(), 0, 1440));
        String header = text(node, "testHeader", at, HEADER_NAME);
        if (CLIENT_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
            throw new ConfigurationException(at + ".testHeader: '" + header + "' is a header the HTTP client sets itself;"
                    + " the test listener rule needs one of its own, such as X-Pushdeploy-Test");
        }
        return new Strategy(type, url, header, text(node, "testHeaderValue", at, HEADER_VALUE), shift);
    }

    /**
     * {@code url} when it is an http(s) URL of at most {@value #MAX_URL} characters naming a host, with no credentials
     * before it (the probe's result, URL included, is logged and notified): {@link #HTTP_URL}, the pattern the template
     * gives its SmokeCheckUrl parameter.
     */
    private static String httpUrl(String url, String where) {
        if (url.length() <= MAX_URL && HTTP_URL.matcher(url).matches()) {
            return url;
        }
        if (url.matches("https?://[^\\s/?#]*@.*")) {
            throw new ConfigurationException(where + ": must not carry credentials (user info): the URL is logged and notified");
        }
        throw new ConfigurationException(where + ": must be an http(s) URL naming a host, at most " + MAX_URL + " characters");
    }

    /**
     * Refuses a traffic-shifting schedule that leaves the new tasks too little of the hour a run waits at most for its
     * rollout (the run's deadline is the rollout's own plus ECS's bakes, kept within {@link Health#MAX_DEADLINE_SECONDS}):
     * at least the configured deadline, or {@link Strategy#LEAST_START_SECONDS} if that is shorter. Otherwise every
     * rollout would still be baking at its deadline, and each deploy would end TIMED_OUT and roll back.
     */
    private static void fitsTheLongestDeadline(Strategy strategy, Health health, String at) {
        int needed = Math.min(health.deadlineSeconds(), Strategy.LEAST_START_SECONDS);
        int planned = strategy.plannedSeconds();
        if (planned + needed > Health.MAX_DEADLINE_SECONDS) {
            throw new ConfigurationException(at + ": " + strategy.type() + " bakes " + planned / 60 + " minutes by ECS's own schedule ("
                    + schedule(strategy.type()) + "); a run waits at most " + Health.MAX_DEADLINE_SECONDS / 60
                    + " minutes for a rollout, bakes included, and must leave the new tasks " + needed
                    + " s to start: shorten the bakes to at most " + (Health.MAX_DEADLINE_SECONDS - needed) / 60 + " minutes in all");
        }
    }

    private static String schedule(Strategy.Type type) {
        return switch (type) {
            case ROLLING -> "none";
            case BLUE_GREEN -> "bakeMinutes";
            case CANARY -> "canaryBakeMinutes + bakeMinutes";
            case LINEAR -> "(100 / stepPercent, rounded up, - 1) x stepBakeMinutes + bakeMinutes";
        };
    }

    /**
     * Refuses two secrets with one parameter, in one target or two: each writes its inactive slot ({@code parameter/a} or
     * {@code /b}) in turn, so the second would overwrite the first.
     */
    /**
     * Each secret's slots are its own: no two secrets share a parameter, nor (database secrets) the roles on one server,
     * which PostgreSQL keeps for the whole server, not per database: one secret's rotation would change the password
     * another secret's live revision logs in with.
     */
    private static void eachParameterOnce(List<Target> targets) {
        Map<String, String> owners = new HashMap<>();
        Map<String, String> roles = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            List<SecretSpec> secrets = targets.get(i).secrets();
            for (int j = 0; j < secrets.size(); j++) {
                String at = "targets[" + i + "].secrets[" + j + "]";
                SecretSpec secret = secrets.get(j);
                String earlier = owners.putIfAbsent(secret.parameter(), at);
                if (earlier != null) {
                    throw new ConfigurationException(at + ".parameter: " + secret.parameter() + " is " + earlier
                            + "'s parameter too; each secret needs its own (both would write the same slots)");
                }
                if (secret.postgres() != null) {
                    SecretSpec.Postgres db = secret.postgres();
                    String server = db.host().toLowerCase(Locale.ROOT) + ":" + db.port();
                    String earlierRole = roles.putIfAbsent(server + "/" + db.role(), at);
                    if (earlierRole != null) {
                        throw new ConfigurationException(at + ".role: " + db.role() + " on " + server + " is " + earlierRole
                                + "'s role too; each secret needs its own (PostgreSQL's roles belong to the whole server, so one"
                                + " rotation would change the password the other's live revision logs in with)");
                    }
                }
            }
        }
    }

    /** Every member of {@code node} must be one of {@code allowed}: a misspelt one must not pass silently. */
    private static void only(Object node, Set<String> allowed, String at, String what) {
        for (Object key : ((Map<?, ?>) node).keySet()) {
            if (!allowed.contains(key)) {
                String name = String.valueOf(key);
                String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                throw new ConfigurationException(at + "." + Fields.printableOrEscaped(shown) + ": is not a member of "
                        + what + " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static double percent(Object node, String field, String at, double fallback, double min) {
        Object value = Json.member(node, field);
        if (value == null) {
            return fallback;
        }
        // ECS takes "multiples of 0.1" for both CanaryConfiguration.canaryPercent and LinearConfiguration.stepPercent
        if (!(value instanceof Number number) || number.doubleValue() < min || number.doubleValue() > 100
                || Math.abs(number.doubleValue() * 10 - Math.rint(number.doubleValue() * 10)) > 1e-6) {
            throw new ConfigurationException(at + "." + field + ": must be a multiple of 0.1 from " + min + " to 100");
        }
        return number.doubleValue();
    }

    private static void requireObject(Object node, String at) {
        if (!(node instanceof Map)) {
            throw new ConfigurationException(at + ": must be an object");
        }
    }

    private static String text(Object node, String field, String at, Pattern pattern) {
        if (!(Json.member(node, field) instanceof String text) || text.isBlank()) {
            throw new ConfigurationException(at + "." + field + ": is required (a string)");
        }
        if (pattern != null && !pattern.matcher(text).matches()) {
            throw new ConfigurationException(at + "." + field + ": '" + text + "' must match " + pattern.pattern());
        }
        return text;
    }

    private static String optionalText(Object node, String field, String where) {
        Object value = Json.member(node, field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw new ConfigurationException(where + ": must be a string");
        }
        return text.isBlank() ? null : text;
    }

    private static int integer(Object node, String field, String at, int fallback, int min, int max) {
        Object value = Json.member(node, field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Integer number) || number < min || number > max) {
            throw new ConfigurationException(at + "." + field + ": must be an integer from " + min + " to " + max);
        }
        return number;
    }

    /** The constant {@code text} names (in any case), else an error saying what the field must be. */
    private static <E extends Enum<E>> E constant(Class<E> type, String text, String at, String mustBe) {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(at + ": must be " + mustBe + ", not " + text);
        }
    }
}
