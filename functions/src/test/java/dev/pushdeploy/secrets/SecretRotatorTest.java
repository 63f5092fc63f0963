package dev.pushdeploy.secrets;

import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.error.ServiceMovedException;
import dev.pushdeploy.handler.RotateSecretsHandler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.rollout.FakeEcsServices;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.StepLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.release.InMemoryTaskDefinitions;

class SecretRotatorTest {
    static final String LIVE = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
    static final String KEY = "/pushdeploy/web/app-signing-key";
    static final String DB = "/pushdeploy/web/db";
    static final String MASTER = "/pushdeploy/web/db-master";
    static final String MASTER_PASSWORD = "master-password-do-not-leak";

    static final String CONFIG = """
            {"kmsKeyId": "alias/pushdeploy",
             "targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
               "secrets": [
                 {"name": "APP_SIGNING_KEY", "kind": "random", "parameter": "/pushdeploy/web/app-signing-key", "length": 40},
                 {"name": "DB_PASSWORD", "kind": "postgres", "parameter": "/pushdeploy/web/db", "length": 32,
                  "host": "db.internal", "database": "app", "role": "app", "usernameEnv": "DB_USER",
                  "masterParameter": "/pushdeploy/web/db-master"}]}]}
            """;

    final InMemorySlotStore store = new InMemorySlotStore()
            .put(KEY + "/a", "live-signing-key")
            .put(DB + "/b", "live-db-password")
            .put(MASTER, "{\"username\":\"master\",\"password\":\"" + MASTER_PASSWORD + "\"}");
    final InMemoryTaskDefinitions taskDefinitions = revision(new InMemoryTaskDefinitions(), 7, "app",
            Map.of("APP_SIGNING_KEY", KEY + "/a", "DB_PASSWORD", DB + "/b"));
    final FakeRoles roles = new FakeRoles();
    /** The revision the service runs when RotateSecrets looks: the one the request was prepared from, unless a test moves it. */
    String running = LIVE;
    final List<String> logLines = new ArrayList<>();
    final StepLog log = StepLog.to(JsonLogLines.to(logLines::add), "RotateSecrets");

    SecretRotator rotator(String config) {
        return new SecretRotator(ConfigSource.of(ConfigParser.parse(config)), taskDefinitions, store, roles,
                (cluster, service) -> new FakeEcsServices(running, false).describe(cluster, service));
    }

    /** Revision {@code n} of family web whose only container references {@code secrets}. */
    static InMemoryTaskDefinitions revision(InMemoryTaskDefinitions taskDefinitions, int n, String container,
                                            Map<String, String> secrets) {
        taskDefinitions.put(new TaskDefinition(InMemoryTaskDefinitions.arn("web", n), "web", n, true, "256", "512",
                List.of(new TaskDefinition.Container(container, "web@sha256:" + "1".repeat(64), true, Map.of(),
                        new TreeMap<>(secrets))), Map.of()));
        return taskDefinitions;
    }

    @Test
    void writesEachSecretIntoItsInactiveSlotOnly() {
        RotationResult result = rotator(CONFIG).rotate(Requests.deploy("req-1", LIVE), log);

        assertEquals(List.of(
                new SecretSlot("APP_SIGNING_KEY", "b", KEY + "/b", 1L, null, null),
                new SecretSlot("DB_PASSWORD", "a", DB + "/a", 1L, "DB_USER", "app_a")), result.secrets());
        assertEquals(List.of(KEY + "/b", DB + "/a"), store.writes.stream().map(InMemorySlotStore.Write::parameter).toList());
        assertEquals(List.of("live-signing-key"), store.versions.get(KEY + "/a"), "live slot untouched");
        assertEquals(List.of("live-db-password"), store.versions.get(DB + "/b"), "live slot untouched");
        store.writes.forEach(w -> assertEquals("alias/pushdeploy", w.kmsKeyId()));
        assertEquals(40, store.latest(KEY + "/b").length());
        assertEquals(32, store.latest(DB + "/a").length());
        assertTrue(store.latest(KEY + "/b").matches("[A-Za-z0-9_-]{40}"));
    }

    /**
     * RedriveExecution restarts an ended run at RotateSecrets after the reconciler released its lock: the step
     * (as the state machine calls it, with {@code $$.Execution.RedriveCount}) must write no slot and touch no role.
     */
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"null, 2", "0, 2", "1, 0", "3, 0"})
    void aRedrivenExecutionRotatesNothing(Integer redriveCount, int writes) {
        RotateSecretsHandler step = new RotateSecretsHandler(rotator(CONFIG));
        RotateSecretsHandler.Input input = new RotateSecretsHandler.Input(Requests.deploy("req-1", LIVE), redriveCount);

        if (writes == 0) {
            RunInterruptedException redriven = assertThrows(RunInterruptedException.class, () -> step.apply(input, log));
            assertTrue(redriven.getMessage().startsWith("the execution was redriven (" + redriveCount + ")"), redriven.getMessage());
            assertEquals(RunInterruptedException.class, redriven.getClass(), "interrupted, not prepared again");
        } else {
            step.apply(input, log);
        }
        assertEquals(writes, store.writes.size());
        assertEquals(writes == 0 ? 0 : 1, roles.calls.size());
    }

    @Test
    void postgresRotationGoesToTheDatabaseBeforeTheSlotWithTheSamePassword() {
        rotator(CONFIG).rotate(Requests.deploy("req-1", LIVE), log);

        assertEquals(1, roles.calls.size());
        FakeRoles.Call call = roles.calls.get(0);
        assertEquals("app_b", call.liveRole());
        assertEquals("app_a", call.role());
        assertEquals("master", call.master().username());
        assertEquals(MASTER_PASSWORD, call.master().password().reveal());
        assertEquals("db.internal", call.database().host());
        assertEquals(call.password(), store.latest(DB + "/a"), "the proven password is the one stored");
        assertEquals(0, call.writesBefore(), "no slot is written before the database was rotated");
    }

    @Test
    void theLiveSlotsPrepareReadAreUsedWithoutReadingTheRevisionAgain() {
        running = InMemoryTaskDefinitions.arn("web", 99);
        DeployRequest request = Requests.deploy("req-1", running).toBuilder()
                .liveSlots(Map.of("APP_SIGNING_KEY", "a", "DB_PASSWORD", "b")).build();

        RotationResult result = rotator(CONFIG).rotate(request, log);

        assertEquals(List.of(KEY + "/b", DB + "/a"), result.secrets().stream().map(SecretSlot::parameter).toList(),
                "revision 99 does not exist: the slots came from the request");
        assertEquals("app_b", roles.calls.get(0).liveRole());
    }

    @Test
    void aSecretTheRequestsLiveSlotsDoNotNameHasNoLiveSlot() {
        DeployRequest request = Requests.deploy("req-1", LIVE).toBuilder().liveSlots(Map.of("APP_SIGNING_KEY", "b")).build();

        RotationResult result = rotator(CONFIG).rotate(request, log);

        assertEquals(List.of(KEY + "/a", DB + "/a"), result.secrets().stream().map(SecretSlot::parameter).toList());
        assertNull(roles.calls.get(0).liveRole());
    }

    @Test
    void aLiveSlotThatIsNoSlotIsRejectedBeforeAnythingChanges() {
        DeployRequest request = Requests.deploy("req-1", LIVE).toBuilder()
                .liveSlots(Map.of("APP_SIGNING_KEY", "a", "DB_PASSWORD", "live")).build();

        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> rotator(CONFIG).rotate(request, log));

        assertEquals("request.liveSlots.DB_PASSWORD: 'live' is not a slot (a or b)", e.getMessage());
        assertEquals(List.of(), store.writes);
        assertEquals(List.of(), roles.calls);
    }

    @Test
    void noLiveRevisionStartsWithSlotA() {
        RotationResult result = rotator(CONFIG).rotate(Requests.deploy("req-1", null), log);

        assertEquals(List.of("a", "a"), result.secrets().stream().map(SecretSlot::slot).toList());
        assertNull(roles.calls.get(0).liveRole());
        assertEquals(2, store.versions.get(KEY + "/a").size(), "slot a created/overwritten as a new version");
    }

    /**
     * Prepared while web:7 (slot a of the signing key, b of the database) was live; by the time this run holds the lock,
     * another run has moved the service to web:8, which reads the other slots: they are what this run would write.
     */
    @Test
    void aServiceMovedSinceThePreparationKeepsEverySlotAndRole() {
        revision(taskDefinitions, 8, "app", Map.of("APP_SIGNING_KEY", KEY + "/b", "DB_PASSWORD", DB + "/a"));
        running = InMemoryTaskDefinitions.arn("web", 8);
        DeployRequest request = Requests.deploy("req-1", LIVE).toBuilder()
                .liveSlots(Map.of("APP_SIGNING_KEY", "a", "DB_PASSWORD", "b")).build();

        ServiceMovedException e = assertThrows(ServiceMovedException.class, () -> rotator(CONFIG).rotate(request, log));

        assertTrue(e.getMessage().startsWith("pushdeploy/web runs web:8, not web:7 as when this run was prepared"), e.getMessage());
        assertTrue(store.writes.isEmpty(), "no slot written");
        assertTrue(roles.calls.isEmpty(), "no database role rotated");
    }

    /**
     * The database role's new password is set and proven, then Parameter Store refuses its slot (a disabled key, a policy):
     * the step fails (three attempts, as the state machine's Retry makes them), and the role's password is what its slot
     * still holds, so a revision that reads the slot (an older release a rollback goes back to) still logs in.
     */
    @Test
    void aSlotWriteThatFailsSetsTheRolesPasswordBackToTheSlots() {
        store.put(DB + "/a", "the-value-web-6-ran-with");
        SlotStore refusing = new RefusingSlotStore(store, (DB + "/a")::equals);
        SecretRotator rotator = new SecretRotator(ConfigSource.of(ConfigParser.parse(CONFIG)), taskDefinitions, refusing, roles,
                (cluster, service) -> new FakeEcsServices(running, false).describe(cluster, service));

        for (int attempt = 0; attempt < 3; attempt++) {
            assertThrows(AwsFailureException.class, () -> rotator.rotate(Requests.deploy("req-1", LIVE), log));
        }

        FakeRoles.Call last = roles.calls.get(roles.calls.size() - 1);
        assertEquals(List.of("app_a", "the-value-web-6-ran-with"), List.of(last.role(), last.password()), "set back to the slot's value");
        assertEquals(6, roles.calls.size(), "each attempt: the new password, then the slot's back");
        assertEquals("the-value-web-6-ran-with", store.latest(DB + "/a"));
        assertTrue(logLines.stream().anyMatch(l -> l.contains("the role's password is set back to the slot's")), logLines.toString());
        assertTrue(logLines.stream().noneMatch(l -> l.contains("the-value-web-6-ran-with")), "no value in the log");
    }

    @Test
    void theBootstrapRevisionNamesNoLiveSlot() {
        taskDefinitions.put(new TaskDefinition(InMemoryTaskDefinitions.arn("web", 1), "web", 1, true, "256", "512",
                List.of(new TaskDefinition.Container("app", "web:bootstrap", true, Map.of(),
                        new TreeMap<>(Map.of("APP_SIGNING_KEY", KEY + "/a", "DB_PASSWORD", DB + "/b")))), Map.of()));

        running = InMemoryTaskDefinitions.arn("web", 1);
        RotationResult result = rotator(CONFIG).rotate(Requests.deploy("req-1", running), log);

        assertEquals(List.of("a", "a"), result.secrets().stream().map(SecretSlot::slot).toList(),
                "the first release writes slot a whatever slots the bootstrap revision names");
        assertNull(roles.calls.get(0).liveRole(), "no role is live before the first release");
    }

    @Test
    void aRetryWritesTheSameSlotAgainWithAFreshValue() {
        SecretRotator rotator = rotator(CONFIG);
        RotationResult first = rotator.rotate(Requests.deploy("req-1", LIVE), log);
        RotationResult second = rotator.rotate(Requests.deploy("req-1", LIVE), log);

        assertEquals(first.secrets().stream().map(SecretSlot::parameter).toList(),
                second.secrets().stream().map(SecretSlot::parameter).toList());
        assertEquals(2L, second.secrets().get(0).version());
        List<String> values = store.versions.get(KEY + "/b");
        assertNotEquals(values.get(0), values.get(1));
        assertEquals(List.of("live-signing-key"), store.versions.get(KEY + "/a"));
    }

    @Test
    void theNextRotationAfterARolloutUsesTheOtherSlot() {
        revision(taskDefinitions, 8, "app", Map.of("APP_SIGNING_KEY", KEY + "/b", "DB_PASSWORD", DB + "/a"));
        running = "web:8";

        RotationResult result = rotator(CONFIG).rotate(Requests.rotate("req-2", "web:8"), log);

        assertEquals(List.of(KEY + "/a", DB + "/b"), result.secrets().stream().map(SecretSlot::parameter).toList());
        assertEquals("app_a", roles.calls.get(0).liveRole());
        assertEquals("app_b", roles.calls.get(0).role());
    }

    @Test
    void aFailedDatabaseRotationWritesNoDatabaseSlot() {
        roles.failure = new RotationFailedException("cannot connect to postgresql://db.internal:5432/app as master user master");

        RotationFailedException e = assertThrows(RotationFailedException.class,
                () -> rotator(CONFIG).rotate(Requests.deploy("req-1", LIVE), log));

        assertTrue(e.getMessage().contains("cannot connect"));
        assertFalse(store.versions.containsKey(DB + "/a"), "no slot written for the failed secret");
        assertEquals(List.of("live-db-password"), store.versions.get(DB + "/b"));
        assertEquals(List.of("live-signing-key"), store.versions.get(KEY + "/a"));
        assertFalse(store.versions.containsKey(KEY + "/b"), "no slot written for the other secrets either");
    }

    @Test
    void missingMasterCredentialsFailWithoutTouchingTheDatabase() {
        store.versions.remove(MASTER);

        RotationFailedException e = assertThrows(RotationFailedException.class,
                () -> rotator(CONFIG).rotate(Requests.deploy("req-1", LIVE), log));

        assertEquals("master credentials parameter " + MASTER + " does not exist", e.getMessage());
        assertTrue(roles.calls.isEmpty());
        assertFalse(store.versions.containsKey(DB + "/a"));
    }

    @Test
    void malformedMasterCredentialsAreReportedWithoutTheirContent() {
        store.put(MASTER, "{\"username\":\"master\",\"pass\":\"" + MASTER_PASSWORD + "\"");

        RotationFailedException e = assertThrows(RotationFailedException.class,
                () -> rotator(CONFIG).rotate(Requests.deploy("req-1", LIVE), log));

        assertTrue(e.getMessage().contains(MASTER), e.getMessage());
        assertFalse(e.getMessage().contains(MASTER_PASSWORD));
        assertNull(e.getCause(), "the parser's exception quotes the input");
        assertTrue(roles.calls.isEmpty());
    }

    @Test
    void valuesNeverReachTheLogOrTheResult() {
        RotationResult result = rotator(CONFIG).rotate(Requests.deploy("req-1", LIVE), log);

        String output = Json.write(result);
        String logText = String.join("", logLines);
        assertEquals(2, logLines.size());
        assertTrue(logText.contains(KEY + "/b") && logText.contains("app_a"), logText);
        for (InMemorySlotStore.Write write : store.writes) {
            assertFalse(output.contains(write.value()));
            assertFalse(logText.contains(write.value()));
        }
        assertFalse(logText.contains(MASTER_PASSWORD));
        assertFalse(output.contains(MASTER_PASSWORD));
    }

    @Test
    void aRequestThatDoesNotRotateChangesNothing() {
        RotationResult result = rotator(CONFIG).rotate(Requests.rollback("req-1", LIVE), log);

        assertTrue(result.secrets().isEmpty());
        assertTrue(store.writes.isEmpty());
        assertTrue(roles.calls.isEmpty());
    }

    @Test
    void aLiveRevisionWithoutTheTargetContainerIsAConfigurationError() {
        revision(taskDefinitions, 8, "worker", Map.of("APP_SIGNING_KEY", KEY + "/b"));
        running = "web:8";

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> rotator(CONFIG).rotate(Requests.rotate("req-2", "web:8"), log));
        assertEquals("container app is not in task definition web:8", e.getMessage());
        assertTrue(store.writes.isEmpty());
    }

    @Test
    void aServiceWithoutTargetIsAConfigurationError() {
        String other = CONFIG.replace("\"service\": \"web\"", "\"service\": \"api\"");

        assertThrows(ConfigurationException.class, () -> rotator(other).rotate(Requests.deploy("req-1", LIVE), log));
        assertTrue(store.writes.isEmpty());
    }

    /** Records each database rotation, with what had been written to SSM before it. */
    final class FakeRoles implements RoleRotator {
        record Call(SecretSpec.Postgres database, MasterCredentials master, String liveRole, String role, String password,
                    int writesBefore) {
        }

        final List<Call> calls = new ArrayList<>();
        RotationFailedException failure;

        @Override
        public void rotate(SecretSpec.Postgres database, MasterCredentials master, String liveRole, String role,
                           SecretValue password) {
            if (failure != null) {
                throw failure;
            }
            calls.add(new Call(database, master, liveRole, role, password.reveal(), store.writes.size()));
        }
    }
}
