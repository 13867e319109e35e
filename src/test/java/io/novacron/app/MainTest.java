package io.novacron.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void aConfigurationErrorPrintsOneLineAndExitsWithCode2() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("migrate", "--db-url", "mysql://127.0.0.1/novacron");
        } finally {
            System.setErr(err);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(out.lines()).hasSize(1);
        assertThat(out).contains("NOVACRON_DB_URL").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void anUnreachableDatabaseIsAConfigurationErrorNotAStackTrace() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("migrate", "--db-url", "jdbc:postgresql://127.0.0.1:1/novacron");
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith("novacron: cannot reach PostgreSQL").doesNotContain("\tat ");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"serve", "migrate", "demo"}) {
            assertThat(Main.run(cmd, "--help")).isZero();
        }
    }
}
