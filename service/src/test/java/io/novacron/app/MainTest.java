package io.novacron.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void aConfigurationErrorPrintsOneLineAndExitsWithCode2() {
        CommandRun run = CommandRun.of("migrate", "--db-url", "mysql://127.0.0.1/novacron");
        String out = run.stderr();
        assertThat(run.code()).isEqualTo(2);
        assertThat(out.lines()).hasSize(1);
        assertThat(out).contains("NOVACRON_DB_URL").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void anUnreachableDatabaseIsAConfigurationErrorNotAStackTrace() {
        CommandRun run = CommandRun.of("migrate", "--db-url", "jdbc:postgresql://127.0.0.1:1/novacron");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).startsWith("novacron: cannot reach PostgreSQL").doesNotContain("\tat ");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"serve", "migrate", "compact"}) {
            assertThat(Main.run(cmd, "--help")).isZero();
        }
    }

    @Test
    void theBenchCommandsWithoutTheBenchJarSayWhereTheyLive() {
        // Run from target/classes, as here, no novacron-bench.jar lies beside: one line, code 2.
        CommandRun run = CommandRun.of("demo", "--dataset", "small");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).startsWith("novacron: 'demo' needs novacron-bench.jar").doesNotContain("\tat ");
    }
}
