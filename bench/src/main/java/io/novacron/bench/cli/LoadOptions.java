package io.novacron.bench.cli;

import io.novacron.bench.Dataset;
import io.novacron.bench.Seeder;
import picocli.CommandLine.Option;

/** What to load and how to send it: the options {@code seed} and {@code bench} share. */
final class LoadOptions {
    @Option(names = "--dataset", defaultValue = "small", description = "small, medium or large (default: ${DEFAULT-VALUE})")
    String dataset;
    @Option(names = "--seed", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--batch-size", defaultValue = "" + Seeder.DEFAULT_BATCH, description = "samples per ingestion request (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--in-flight", defaultValue = "" + Seeder.DEFAULT_IN_FLIGHT, description = "ingestion requests in flight (default: ${DEFAULT-VALUE})")
    int inFlight;

    Dataset dataset() {
        return Dataset.named(dataset);
    }
}
