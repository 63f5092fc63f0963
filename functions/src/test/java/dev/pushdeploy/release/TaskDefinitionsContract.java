package dev.pushdeploy.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskDefinitions} does, the in-memory fake as the ECS adapter: the same cases
 * run against both ({@code InMemoryTaskDefinitionsTest} here, {@code EcsTaskDefinitionsIT} on the
 * emulator).
 */
public abstract class TaskDefinitionsContract {
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64);
    static final String NEW_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "2".repeat(64);

    protected abstract TaskDefinitions subject();

    /** Registers the next revision of {@code family} (one essential container, no tags) outside the port; its ARN. */
    protected abstract String seed(String family, String container, String image, Map<String, String> secrets);

    /** Deletes a deregistered revision outside the port, as ECS does once nothing uses it: no longer described. */
    protected abstract void delete(String arn);

    @Test
    void findsARevisionByArnAndByFamilyRevision() {
        String arn = seed("web", "app", IMAGE, Map.of("APP_SIGNING_KEY", "/k/a"));

        TaskDefinition byArn = subject().find(arn).orElseThrow();
        TaskDefinition byName = subject().find(Revisions.shortName(arn)).orElseThrow();

        assertEquals(byArn, byName);
        assertEquals(arn, byArn.arn());
        assertEquals("web", byArn.family());
        assertEquals(Revisions.revision(arn), byArn.revision());
        assertTrue(byArn.active());
        assertEquals(IMAGE, byArn.container("app").orElseThrow().image());
        assertEquals(Map.of("APP_SIGNING_KEY", "/k/a"), byArn.container("app").orElseThrow().secrets());
        assertTrue(byArn.container("app").orElseThrow().essential());
    }

    @Test
    void aFamilyAloneFindsItsNewestRevision() {
        seed("web", "app", IMAGE, Map.of());
        String web2 = seed("web", "app", NEW_IMAGE, Map.of());
        seed("web-worker", "app", IMAGE, Map.of());

        assertEquals(web2, subject().find("web").orElseThrow().arn());
        assertTrue(subject().find("api").isEmpty());
    }

    @Test
    void aMissingRevisionIsEmpty() {
        seed("web", "app", IMAGE, Map.of());

        assertTrue(subject().find("web:99").isEmpty());
        assertTrue(subject().find("nothing:1").isEmpty());
    }

    @Test
    void listsTheActiveRevisionsOfExactlyTheFamilyNewestFirst() {
        String web1 = seed("web", "app", IMAGE, Map.of());
        String web2 = seed("web", "app", IMAGE, Map.of());
        seed("web-worker", "app", IMAGE, Map.of());
        String web3 = seed("web", "app", IMAGE, Map.of());

        assertEquals(List.of(web3, web2, web1), subject().activeRevisions("web"));
        assertEquals(List.of(), subject().activeRevisions("api"));
    }

    @Test
    void registersTheNextRevisionWithTheChangeApplied() {
        String base = seed("web", "app", IMAGE, Map.of("APP_SIGNING_KEY", "/k/a"));
        RevisionChange change = new RevisionChange(base, "web", "app", NEW_IMAGE, Map.of("PORT", "8080"),
                Map.of("APP_SIGNING_KEY", "/k/b"), Map.of("pushdeploy:request-id", "req-1"));

        TaskDefinition registered = subject().register(change);

        assertEquals(Revisions.revision(base) + 1, registered.revision());
        TaskDefinition found = subject().find(registered.arn()).orElseThrow();
        assertEquals("web", found.family());
        assertTrue(found.active());
        TaskDefinition.Container app = found.container("app").orElseThrow();
        assertEquals(NEW_IMAGE, app.image());
        assertEquals(Map.of("PORT", "8080"), app.environment());
        assertEquals(Map.of("APP_SIGNING_KEY", "/k/b"), app.secrets());
        assertEquals(Map.of("pushdeploy:request-id", "req-1"), found.tags());
        assertEquals(List.of(registered.arn(), base), subject().activeRevisions("web"));
    }

    @Test
    void aDeregisteredRevisionIsInactiveAndNoLongerListed() {
        String web1 = seed("web", "app", IMAGE, Map.of());
        String web2 = seed("web", "app", IMAGE, Map.of());

        subject().deregister(web1);

        assertFalse(subject().find(web1).orElseThrow().active());
        assertEquals(List.of(web2), subject().activeRevisions("web"));
    }

    @Test
    void deregisteringARevisionThatDoesNotExistFails() {
        seed("web", "app", IMAGE, Map.of());

        assertThrows(AwsFailureException.class, () -> subject().deregister(InMemoryTaskDefinitions.arn("web", 99)));
    }

    /**
     * A copy of a revision is found by its copy-of tag among the family's newer revisions, read by number, also once the
     * original was deleted; a copy of another revision, or one beyond the lookback, is not.
     */
    @Test
    void aKeptCopyIsFoundByItsTagAlsoOnceTheOriginalIsDeleted() {
        String web1 = seed("web", "app", IMAGE, Map.of("APP_SIGNING_KEY", "/k/a"));
        String web2 = seed("web", "app", NEW_IMAGE, Map.of());
        subject().deregister(web1);
        subject().deregister(web2);
        TaskDefinition copyOfWeb2 = subject().register(RevisionChange.copyOf(subject().find(web2).orElseThrow()));
        TaskDefinition copy = subject().register(RevisionChange.copyOf(subject().find(web1).orElseThrow()));
        seed("web", "app", NEW_IMAGE, Map.of());
        seed("web", "app", NEW_IMAGE, Map.of());

        assertEquals(copy.arn(), subject().keptCopy(web1, 5).orElseThrow().arn());
        assertEquals(copyOfWeb2.arn(), subject().keptCopy(web2, 5).orElseThrow().arn());
        assertTrue(subject().keptCopy(web1, 2).isEmpty(), "the two newest are no copies");
        delete(web1);
        assertTrue(subject().find(web1).isEmpty());
        assertEquals(copy.arn(), subject().keptCopy(web1, 5).orElseThrow().arn());
        subject().deregister(copy.arn());
        assertTrue(subject().keptCopy(web1, 5).isEmpty(), "a deregistered copy is no way back");
    }
}
