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
 * cycle anywhere; nothing deployed reaches the local runtime, the CLI or the operator commands;
 * the operator commands (which work against AWS too) do not reach the local runtime either: only
 * the CLI, which starts it, does.
 */
class BuildArchitectureTest {
    static final JavaClasses MAIN = new ClassFileImporter().importLocations(Set.of(
            Location.of(Path.of("target/classes")), Location.of(Path.of("../functions/target/classes"))));

    @Test
    void noPackageCycles() {
        slices().matching("dev.pushdeploy.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theFunctionsNeverReachTheLocalRuntimeOrTheCli() {
        noClasses().that().resideOutsideOfPackages("dev.pushdeploy.local..", "dev.pushdeploy.cli..", "dev.pushdeploy.ops..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pushdeploy.local..", "dev.pushdeploy.cli..", "dev.pushdeploy.ops..")
                .check(MAIN);
    }

    @Test
    void onlyTheCliStartsTheLocalRuntime() {
        noClasses().that().resideInAPackage("dev.pushdeploy.ops..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pushdeploy.local..", "dev.pushdeploy.cli..")
                .check(MAIN);
    }
}
