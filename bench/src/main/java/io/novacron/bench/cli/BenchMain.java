package io.novacron.bench.cli;

import io.novacron.app.Main;
import picocli.CommandLine.Command;

/**
 * The bench module's command line: {@code demo}, {@code seed}, {@code bench}. The service's
 * {@code novacron.jar} hands these commands here (see {@code io.novacron.app.Tools}); run
 * directly, it is the same command line with the harness on the class path.
 */
@Command(name = "novacron", mixinStandardHelpOptions = true, version = "novacron benchmark harness 0.1",
        description = "NovaCron fleet data service: demo fleet, dataset loader and benchmark.",
        subcommands = {Demo.class, Seed.class, Bench.class})
public final class BenchMain implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return Main.run(new BenchMain(), args);
    }

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
