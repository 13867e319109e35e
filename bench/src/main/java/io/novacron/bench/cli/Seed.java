package io.novacron.bench.cli;

import io.novacron.bench.BenchRun;
import io.novacron.bench.Dataset;
import io.novacron.bench.Seeder;
import io.novacron.app.Application;
import io.novacron.app.Main;
import io.novacron.config.ServiceConfig;
import io.novacron.web.Tokens;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code seed}: loads a generated dataset into the configured database. The inventory is copied
 * in directly; the samples go through the ingestion API of the service at {@code --url}, or of an
 * instance started here on a free port for the duration of the load.
 */
@Command(name = "seed", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load a generated dataset (small, medium, large) into the configured database through the ingestion API.")
final class Seed implements Callable<Integer> {
    @Mixin
    Main.Settings settings;
    @Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    LoadOptions load;

    @Option(names = "--url", description = "send the samples to a running service at this base URL (needs --admin-token)")
    String url;

    @Override
    public Integer call() throws Exception {
        Dataset ds = load.dataset();
        BenchRun.quietAccessLog();
        ServiceConfig cfg = settings.resolve();
        if (url != null) {
            if (cfg.http().adminToken() == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--url needs the service's --admin-token");
            }
            new Seeder(cfg.db(), url, cfg.http().adminToken(), load.batchSize, load.inFlight, System.out).seed(ds, load.seed);
            return 0;
        }
        String token = cfg.http().adminToken() != null ? cfg.http().adminToken() : Tokens.generate();
        try (Application app = Application.start(cfg.withHttp(cfg.http().withPort(0).withAdminToken(token)))) {
            new Seeder(cfg.db(), "http://127.0.0.1:" + app.port(), token, load.batchSize, load.inFlight, System.out).seed(ds, load.seed);
        }
        return 0;
    }
}
