package io.novacron.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One {@link BenchMain#run} with its standard error captured: exit code and what it printed. */
record CommandRun(int code, String stderr) {
    static CommandRun of(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = BenchMain.run(args);
        } finally {
            System.setErr(err);
        }
        return new CommandRun(code, captured.toString(StandardCharsets.UTF_8));
    }
}
