package dev.pushdeploy.adapter.json;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.ConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
    private static final String TARGET = """
            {"repository":"web","cluster":"pushdeploy","service":"web","container":"app"%s}""";

    /** A random secret named {@code %s} in parameter /p/k. */
    private static final String RANDOM = "{\"name\":\"%s\",\"kind\":\"random\",\"parameter\":\"/p/k\"}";

    /** A database secret in parameter {@code parameter}, role app on db.internal, in database {@code database}. */
    private static String postgres(String parameter, String database) {
        return "{\"name\":\"DB\",\"kind\":\"postgres\",\"parameter\":\"" + parameter + "\",\"role\":\"app\",\"host\":\"db.internal\","
                + "\"database\":\"" + database + "\",\"usernameEnv\":\"DB_USER\",\"masterParameter\":\"/p/m\"}";
    }

    private static String doc(String extra) {
        return "{\"targets\":[" + TARGET.formatted(extra) + "]}";
    }

    @Test
    void appliesDefaults() {
        PipelineConfig config = ConfigParser.parse(doc(""));
        Target target = config.forRepository("web").orElseThrow();
        assertEquals("pushdeploy/web", target.serviceKey());
        assertEquals(Health.DEFAULT, target.health());
        assertEquals(10, target.keepRevisions());
        assertEquals(Target.DEFAULT_DESIRED_COUNT, target.desiredCount());
        assertNull(target.scanSeverity());
        assertTrue(target.tagPattern().matcher("anything").matches());
        assertTrue(config.forService("pushdeploy", "web").isPresent());
        assertEquals("/pushdeploy/release", config.releaseParameterPrefix(), "the template's default");
        assertTrue(config.rollBackStoppedRuns(), "the template's default");
    }

    @Test
    void readsThePipelineWideSettings() {
        PipelineConfig config = ConfigParser.parse(doc("").replace("{\"targets\"",
                "{\"releaseParameterPrefix\":\"/acme/releases\",\"rollBackStoppedRuns\":false,\"targets\""));
        assertEquals("/acme/releases", config.releaseParameterPrefix());
        assertFalse(config.rollBackStoppedRuns());
    }

    @Test
    void readsTheFirstReleasesDesiredCount() {
        assertEquals(4, ConfigParser.parse(doc(",\"desiredCount\":4")).targets().get(0).desiredCount());
    }

    /** Parameter Store refuses names starting with aws or ssm; these only come close, and a master parameter is only read. */
    @Test
    void readsParameterNamesBesideTheReservedPrefixes() {
        PipelineConfig config = ConfigParser.parse(doc(",\"secrets\":[" + postgres("/sm/web/db", "app")
                .replace("/p/m", "/aws/reference/secretsmanager/web-db-master") + "]")
                .replace("{\"targets\"", "{\"releaseParameterPrefix\":\"/aw/ssm\",\"targets\""));
        assertEquals("/aw/ssm", config.releaseParameterPrefix());
        assertEquals("/sm/web/db/a", config.targets().get(0).secrets().get(0).slotParameter("a"));
        assertEquals("/aws/reference/secretsmanager/web-db-master", config.targets().get(0).secrets().get(0).postgres().masterParameter());
    }

    @Test
    void readsPostgresSecrets() {
        PipelineConfig config = ConfigParser.parse(doc("""
                ,"secrets":[{"name":"DB_PASSWORD","kind":"postgres","parameter":"/p/web/db","role":"app",
                  "host":"db.internal","database":"app","usernameEnv":"DB_USER","masterParameter":"/p/web/master"}]"""));
        SecretSpec secret = config.targets().get(0).secrets().get(0);
        assertEquals(SecretSpec.Kind.POSTGRES, secret.kind());
        assertEquals("db.internal", secret.postgres().host());
        assertEquals(5432, secret.postgres().port());
        assertEquals("/p/web/db/b", secret.slotParameter("b"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON                 | {                                             | configuration:",
            "no targets               | {\"targets\":[]}                              | targets: must be a non-empty array",
            "bad repository           | {\"targets\":[{\"repository\":\"Web!\"}]}     | targets[0].repository",
            "missing container        | {\"targets\":[{\"repository\":\"web\",\"cluster\":\"c\",\"service\":\"s\"}]} | targets[0].container: is required",
            "bad tag pattern          | TAG                                           | targets[0].tagPattern: not a valid regular expression",
            "bad secret kind          | KIND                                          | targets[0].secrets[0].kind: must be random or postgres",
            "bad severity             | SEVERITY                                      | targets[0].scanSeverity",
            "keep too small           | KEEP                                          | targets[0].keepRevisions: must be an integer from 2",
"no tasks                 | NOTASKS                                       | targets[0].desiredCount: must be an integer from 1 to 5000",
            "deadline too short       | DEADLINE                                      | targets[0].health.deadlineSeconds",
            "postgres without role    | PGROLE                                        | targets[0].secrets[0].role: is required",
            "smoke URL not http       | SMOKEFTP                                      | targets[0].health.smokeUrl: must be an http(s) URL",
            "smoke URL with password  | SMOKEPW                                       | targets[0].health.smokeUrl: must not carry credentials",
            "smoke URL too long       | SMOKELONG                                     | targets[0].health.smokeUrl: must be an http(s) URL naming a host, at most 2048",
            "duplicate repository     | DUP                                           | targets[1].repository: web is mapped twice",
            "misspelt member          | TYPO                                          | targets[0].scanSeverty: is not a member of a target (allowed: cluster,",
            "unknown top-level member | {\"targets\":[],\"kmsKey\":\"k\"}            | configuration.kmsKey: is not a member of the configuration",
            "misspelt health member   | HEALTHTYPO                                    | targets[0].health.deadline: is not a member of health",
            "misspelt secret member   | SECRETTYPO                                    | targets[0].secrets[0].lenght: is not a member of a secret",
            "a key given twice        | TWICE                                         | configuration: not valid JSON: Duplicate key (key 'scanSeverity')",
            "postgres host with port  | PGHOST                                        | targets[0].secrets[0].host: 'db.internal:5432' must match",
            "postgres reserved role   | PGRESERVED                                    | targets[0].secrets[0].role: 'pg_app' starts with pg_, which PostgreSQL reserves",
            "one parameter, 2 secrets | SHARED                                        | targets[0].secrets[1].parameter: /p/k is targets[0].secrets[0]'s parameter too",
            "one parameter, 2 targets | SHAREDTARGETS                                 | targets[1].secrets[0].parameter: /p/k is targets[0].secrets[0]'s parameter too",
            "one role, 2 databases    | SHAREDROLE                                    | targets[1].secrets[0].role: app on db.internal:5432 is targets[0].secrets[0]'s role too",
            "roll back as text        | ROLLBACKTEXT                                  | rollBackStoppedRuns: must be true or false",
            "prefix not a path        | PREFIX                                        | releaseParameterPrefix: 'pushdeploy/release/' must match",
            "prefix 12 levels deep    | PREFIXDEEP                                    | releaseParameterPrefix: '/l/l/l/l/l/l/l/l/l/l/l/l' must match (/[A-Za-z0-9_.-]+){1,11} (at most 11 levels",
            "prefix 795 characters    | PREFIXLONG                                    | (at most 11 levels, 794 characters: Parameter Store allows 15 levels and the pipeline appends 4)",
            "prefix /aws/...          | PREFIXAWS                                     | releaseParameterPrefix: '/aws/release' starts with aws or ssm, which Parameter Store refuses",
            "prefix /SSM-...          | PREFIXSSM                                     | releaseParameterPrefix: '/SSM-releases' starts with aws or ssm",
            "secret slots /Aws...     | SECRETAWS                                     | targets[0].secrets[0].parameter: '/AwsProd/web/k' starts with aws or ssm",
    })
    void rejectsInvalidDocumentsNamingTheField(String name, String document, String expected) {
        String input = switch (document) {
            case "TAG" -> doc(",\"tagPattern\":\"v(\"");
            case "KIND" -> doc(",\"secrets\":[{\"name\":\"K\",\"kind\":\"vault\",\"parameter\":\"/p/k\"}]");
            case "SEVERITY" -> doc(",\"scanSeverity\":\"SEVERE\"");
            case "KEEP" -> doc(",\"keepRevisions\":1");
            case "NOTASKS" -> doc(",\"desiredCount\":0");
            case "DEADLINE" -> doc(",\"health\":{\"deadlineSeconds\":5}");
            case "PGROLE" -> doc(",\"secrets\":[{\"name\":\"K\",\"kind\":\"postgres\",\"parameter\":\"/p/k\",\"host\":\"h\",\"database\":\"d\"}]");
            case "SMOKEFTP" -> doc(",\"health\":{\"smokeUrl\":\"ftp://web.example/health\"}");
            case "SMOKEPW" -> doc(",\"health\":{\"smokeUrl\":\"http://admin:hunter2@web.example/health\"}");
            case "SMOKELONG" -> doc(",\"health\":{\"smokeUrl\":\"http://web.example/" + "a".repeat(2048) + "\"}");
            case "DUP" -> "{\"targets\":[" + TARGET.formatted("") + "," + TARGET.formatted("").replace("\"web\",\"container", "\"api\",\"container") + "]}";
            case "TYPO" -> doc(",\"scanSeverty\":\"HIGH\"");
            case "HEALTHTYPO" -> doc(",\"health\":{\"deadline\":600}");
            case "SECRETTYPO" -> doc(",\"secrets\":[{\"name\":\"K\",\"kind\":\"random\",\"parameter\":\"/p/k\",\"lenght\":64}]");
            case "TWICE" -> doc(",\"scanSeverity\":\"CRITICAL\",\"scanSeverity\":null");
            case "PGHOST" -> doc(",\"secrets\":[{\"name\":\"K\",\"kind\":\"postgres\",\"parameter\":\"/p/k\",\"role\":\"app\","
                    + "\"host\":\"db.internal:5432\",\"database\":\"d\",\"usernameEnv\":\"DB_USER\",\"masterParameter\":\"/p/m\"}]");
            case "PGRESERVED" -> doc(",\"secrets\":[" + postgres("/p/k", "app").replace("\"role\":\"app\"", "\"role\":\"pg_app\"") + "]");
            case "SHARED" -> doc(",\"secrets\":[" + RANDOM.formatted("K") + "," + RANDOM.formatted("L") + "]");
            case "SHAREDTARGETS" -> "{\"targets\":[" + TARGET.formatted(",\"secrets\":[" + RANDOM.formatted("K") + "]") + ","
                    + TARGET.formatted(",\"secrets\":[" + RANDOM.formatted("K") + "]").replace("\"web\",\"container", "\"api\",\"container")
                    .replace("\"repository\":\"web\"", "\"repository\":\"api\"") + "]}";
            case "SHAREDROLE" -> "{\"targets\":[" + TARGET.formatted(",\"secrets\":[" + postgres("/p/web", "web") + "]") + ","
                    + TARGET.formatted(",\"secrets\":[" + postgres("/p/api", "api") + "]").replace("\"web\",\"container", "\"api\",\"container")
                    .replace("\"repository\":\"web\"", "\"repository\":\"api\"").replace("db.internal", "DB.internal") + "]}";
            case "ROLLBACKTEXT" -> doc("").replace("{\"targets\"", "{\"rollBackStoppedRuns\":\"false\",\"targets\"");
            case "PREFIX" -> doc("").replace("{\"targets\"", "{\"releaseParameterPrefix\":\"pushdeploy/release/\",\"targets\"");
            case "PREFIXDEEP" -> doc("").replace("{\"targets\"", "{\"releaseParameterPrefix\":\"" + "/l".repeat(12) + "\",\"targets\"");
            case "PREFIXLONG" -> doc("").replace("{\"targets\"", "{\"releaseParameterPrefix\":\"/" + "a".repeat(794) + "\",\"targets\"");
            case "PREFIXAWS" -> doc("").replace("{\"targets\"", "{\"releaseParameterPrefix\":\"/aws/release\",\"targets\"");
            case "PREFIXSSM" -> doc("").replace("{\"targets\"", "{\"releaseParameterPrefix\":\"/SSM-releases\",\"targets\"");
            case "SECRETAWS" -> doc(",\"secrets\":[{\"name\":\"K\",\"kind\":\"random\",\"parameter\":\"/AwsProd/web/k\"}]");
            default -> document;
        };
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ConfigParser.parse(input));
        assertTrue(e.getMessage().startsWith(expected) || e.getMessage().contains(expected), e.getMessage());
    }
}
