package io.novacron.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SeedAndBenchCommandsTest {

    @Test
    void seedAndBenchHaveHelp() {
        assertThat(Main.run("seed", "--help")).isZero();
        assertThat(Main.run("bench", "--help")).isZero();
    }

    @Test
    void anUnknownDatasetIsOneLineAndExitCode2() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("bench", "--dataset", "huge");
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith("novacron: unknown dataset 'huge'").doesNotContain("\tat ");
    }

    @Test
    void anUnknownWorkloadIsRefusedBeforeAnythingRuns() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("bench", "--skip-load", "--workloads", "dashboard,reports");
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("--workloads: unknown read in [dashboard, reports]")
                .doesNotContain("\tat ");
    }

    @Test
    void durationsReadTheShortForms() {
        var c = new Bench.DurationConverter();
        assertThat(c.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.convert("PT1H")).isEqualTo(Duration.ofHours(1));
    }
}
