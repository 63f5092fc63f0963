package dev.pushdeploy.ledger;

/** Deregisters task definition revisions (the one ECS write Finalize makes). */
@FunctionalInterface
public interface RevisionDeregistrar {
    void deregister(String taskDefinitionArn);
}
