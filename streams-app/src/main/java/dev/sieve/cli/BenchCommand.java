package dev.sieve.cli;

import dev.sieve.dedup.DedupBenchmark;
import dev.sieve.dedup.TextPairMeasurement;
import dev.sieve.embed.local.LocalEmbeddingProvider;
import dev.sieve.embed.local.LocalModelSettings;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sieve bench}: benchmarks that print figures with an in-run baseline, then one line of JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks; each prints its figures and ends with one line of JSON.",
    subcommands = {BenchCommand.Dedup.class})
final class BenchCommand {

  @Command(name = "dedup", mixinStandardHelpOptions = true,
      description = "Near-duplicate index vs brute force on synthetic vectors with planted clusters.")
  static final class Dedup implements Callable<Integer> {

    @Option(names = "--stored", defaultValue = "1000000", description = "Stored vectors (default ${DEFAULT-VALUE}).")
    int stored;

    @Option(names = "--dimensions", defaultValue = "768", description = "Vector dimensions (default ${DEFAULT-VALUE}).")
    int dimensions;

    @Option(names = "--queries", defaultValue = "200", description = "Events probed (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--bits", defaultValue = "6,8,10", split = ",",
        description = "Routing SimHash widths to compare (default ${DEFAULT-VALUE}).")
    int[] bits;

    @Option(names = "--no-model", description = "Skip the text pairs measured with the local model.")
    boolean noModel;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
      Map<String, Object> textPairs = null;
      if (!noModel) {
        try (var provider = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS)) {
          textPairs = new TextPairMeasurement(provider).run(System.out);
        }
      }
      new DedupBenchmark(stored, dimensions, queries, bits, seed).run(System.out, textPairs);
      return 0;
    }
  }
}
