package dev.pushdeploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shape of the main code: no package cycles; a domain that imports neither the AWS SDK, the
 * Lambda runtime library, Jackson, nor the adapters and handlers; adapters that never reach the
 * handlers. Dependencies point one way: handler → adapter → domain → model. No class is exempt.
 * (local/'s BuildArchitectureTest checks the cycles of functions and the local runtime together.)
 */
class ArchitectureTest {
    static final String[] DOMAIN = {"dev.pushdeploy.model..", "dev.pushdeploy.request..", "dev.pushdeploy.release..",
            "dev.pushdeploy.secrets..", "dev.pushdeploy.rollout..", "dev.pushdeploy.ledger..", "dev.pushdeploy.config..",
            "dev.pushdeploy.error..", "dev.pushdeploy.log.."};
    static final String[] FORBIDDEN_IN_DOMAIN = {"software.amazon.awssdk..", "com.amazonaws.services.lambda..",
            "com.fasterxml.jackson..", "dev.pushdeploy.adapter..", "dev.pushdeploy.handler.."};

    /** The main classes, read where the build wrote them (scanning the whole classpath for them is slow). */
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importLocations(Set.of(Location.of(Path.of("target/classes"))));

    @Test
    void noPackageCycles() {
        slices().matching("dev.pushdeploy.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theDomainImportsNoSdkLambdaJacksonAdapterOrHandler() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage(FORBIDDEN_IN_DOMAIN)
                .check(MAIN);
    }

    @Test
    void adaptersNeverReachTheHandlers() {
        noClasses().that().resideInAPackage("dev.pushdeploy.adapter..")
                .should().dependOnClassesThat().resideInAPackage("dev.pushdeploy.handler..")
                .check(MAIN);
    }
}
