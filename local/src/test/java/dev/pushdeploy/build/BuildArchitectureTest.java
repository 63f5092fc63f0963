package dev.pushdeploy.build;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shape of the whole build's main code, functions and local runtime together (functions'
 * ArchitectureTest holds its domain; functions builds alone and cannot see local): no package
 * cycle anywhere, and nothing deployed reaches the local runtime.
 */
class BuildArchitectureTest {
    static final JavaClasses MAIN = new ClassFileImporter().importLocations(Set.of(
            Location.of(Path.of("target/classes")), Location.of(Path.of("../functions/target/classes"))));

    @Test
    void noPackageCycles() {
        slices().matching("dev.pushdeploy.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theFunctionsNeverReachTheLocalRuntime() {
        noClasses().that().resideOutsideOfPackage("dev.pushdeploy.local..")
                .should().dependOnClassesThat().resideInAPackage("dev.pushdeploy.local..")
                .check(MAIN);
    }
}
