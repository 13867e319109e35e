package io.novacron.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The production jar (the service module's, built before this module) carries no benchmark code. */
class ProductionJarTest {

    @Test
    void theServiceJarHoldsNoBenchmarkClasses() throws IOException {
        Path jar = Path.of("..", "target", "novacron.jar");
        assertThat(jar).as("the service jar, built by the service module's package phase (run mvn from the root)").exists();
        try (JarFile j = new JarFile(jar.toFile())) {
            assertThat(j.stream().map(e -> e.getName()).filter(n -> n.startsWith("io/novacron/")))
                    .as("the service's own classes").isNotEmpty()
                    .noneMatch(n -> n.startsWith("io/novacron/bench/"));
            assertThat(j.getEntry("io/novacron/app/Main.class")).isNotNull();
        }
        assertThat(Files.size(jar)).isPositive();
    }
}
