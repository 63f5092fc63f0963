package dev.pushdeploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shape of the main code: no package cycles; a domain that imports neither the AWS SDK, the
 * Lambda runtime library, Jackson, nor the adapters and handlers; adapters that never reach the
 * handlers. Dependencies point one way: handler → adapter → domain → model.
 */
class ArchitectureTest {
    static final String[] DOMAIN = {"dev.pushdeploy.model..", "dev.pushdeploy.request..", "dev.pushdeploy.release..",
            "dev.pushdeploy.secrets..", "dev.pushdeploy.rollout..", "dev.pushdeploy.ledger..", "dev.pushdeploy.config..",
            "dev.pushdeploy.error..", "dev.pushdeploy.log.."};
    static final String[] FORBIDDEN_IN_DOMAIN = {"software.amazon.awssdk..", "com.amazonaws.services.lambda..",
            "com.fasterxml.jackson..", "dev.pushdeploy.adapter..", "dev.pushdeploy.handler.."};

    /**
     * Domain classes that still break the rule, each until the change named here; with their
     * nested classes. An entry goes when its violation goes ({@link #everyKnownViolationIsStillOne}
     * fails until it does); none is ever added.
     */
    static final Map<String, String> KNOWN_VIOLATIONS = Map.of();

    /** The main classes, read where the build wrote them (scanning the whole classpath for them is slow). */
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importLocations(Set.of(Location.of(Path.of("target/classes"))));

    /** Cycles that only a known violation closes (a domain class on adapter.json) count with that violation. */
    @Test
    void noPackageCycles() {
        slices().matching("dev.pushdeploy.(**)").should().beFreeOfCycles()
                .ignoreDependency(known(), JavaClass.Predicates.resideInAnyPackage(FORBIDDEN_IN_DOMAIN))
                .check(MAIN);
    }

    @Test
    void theDomainImportsNoSdkLambdaJacksonAdapterOrHandler() {
        noClasses().that().resideInAnyPackage(DOMAIN).and(DescribedPredicate.not(known()))
                .should().dependOnClassesThat().resideInAnyPackage(FORBIDDEN_IN_DOMAIN)
                .check(MAIN);
    }

    @Test
    void everyKnownViolationIsStillOne() {
        for (String name : KNOWN_VIOLATIONS.keySet()) {
            boolean violates = MAIN.stream()
                    .filter(c -> topLevel(c).equals(name))
                    .flatMap(c -> c.getDirectDependenciesFromSelf().stream())
                    .anyMatch(d -> d.getTargetClass().getPackageName().startsWith("dev.pushdeploy.adapter")
                            || d.getTargetClass().getPackageName().startsWith("dev.pushdeploy.handler")
                            || d.getTargetClass().getPackageName().startsWith("software.amazon.awssdk")
                            || d.getTargetClass().getPackageName().startsWith("com.amazonaws.services.lambda")
                            || d.getTargetClass().getPackageName().startsWith("com.fasterxml.jackson"));
            assertTrue(violates, name + " keeps the rule now: remove it from KNOWN_VIOLATIONS");
        }
    }

    @Test
    void adaptersNeverReachTheHandlers() {
        noClasses().that().resideInAPackage("dev.pushdeploy.adapter..")
                .should().dependOnClassesThat().resideInAPackage("dev.pushdeploy.handler..")
                .check(MAIN);
    }

    private static DescribedPredicate<JavaClass> known() {
        return DescribedPredicate.describe("a known violation " + KNOWN_VIOLATIONS.keySet(),
                c -> KNOWN_VIOLATIONS.containsKey(topLevel(c)));
    }

    private static String topLevel(JavaClass c) {
        String name = c.getName();
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }
}
