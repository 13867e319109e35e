package io.novacron.app;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * No two packages of the service depend on each other, directly or through others: each package
 * can be read, and changed, knowing only the packages below it.
 */
class PackageCyclesTest {
    static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.novacron");

    @Test
    void noPackageCycles() {
        slices().matching("io.novacron.(**)").should().beFreeOfCycles().check(SERVICE);
    }
}
