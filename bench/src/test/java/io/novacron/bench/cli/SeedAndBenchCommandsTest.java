package io.novacron.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SeedAndBenchCommandsTest {

    @Test
    void seedAndBenchHaveHelp() {
        assertThat(BenchMain.run("demo", "--help")).isZero();
        assertThat(BenchMain.run("seed", "--help")).isZero();
        assertThat(BenchMain.run("bench", "--help")).isZero();
    }

    @Test
    void anUnknownDatasetIsOneLineAndExitCode2() {
        CommandRun run = CommandRun.of("bench", "--dataset", "huge");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).startsWith("novacron: unknown dataset 'huge'").doesNotContain("\tat ");
    }

    @Test
    void anUnknownWorkloadIsRefusedBeforeAnythingRuns() {
        CommandRun run = CommandRun.of("bench", "--skip-load", "--workloads", "dashboard,reports");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).contains("--workloads: unknown read in [dashboard, reports]")
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
