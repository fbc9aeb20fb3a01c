package dev.sieve.cli;

import dev.sieve.bench.EmbedBenchmark;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code sieve bench}: benchmarks, one subcommand each; each prints its figures and a JSON line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Benchmarks on an embedded broker. Each prints its figures with an in-run baseline",
        "and ends with one line of JSON holding every figure."},
    subcommands = {BenchCommand.Embed.class})
final class BenchCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a benchmark, e.g. 'sieve bench embed'");
  }

  /** {@code sieve bench embed}: the embed stage against a slow remote model and the local one. */
  @Command(name = "embed", mixinStandardHelpOptions = true,
      description = {"Events/s of a naive one-call-per-record embed step vs the embed stage against a",
          "remote model with a fixed latency per call, the stage's share of its ceiling",
          "(in-flight x batch / latency), and the stage with the local model vs the model alone."})
  static final class Embed implements Callable<Integer> {

    @Option(names = "--latency-ms", defaultValue = "150", description = "Latency of one remote call (default: ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Records per call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-in-flight", defaultValue = "16", description = "Calls at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--partitions", defaultValue = "4", description = "Input partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--events", defaultValue = "30000", description = "Events of the stage run (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--naive-events", defaultValue = "40", description = "Events of the naive run (default: ${DEFAULT-VALUE}).")
    int naiveEvents;

    @Option(names = "--local-events", defaultValue = "3000",
        description = "Events of each local-model run; 0 skips them (default: ${DEFAULT-VALUE}).")
    int localEvents;

    @Option(names = "--outage-seconds", defaultValue = "0",
        description = "Also run the stage with a remote outage this long after a third of the output (default: none).")
    long outageSeconds;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
        description = "A Sieve or Kafka Streams setting for every run, e.g. -D commit.interval.ms=200.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
      // The remote model: an in-process stand-in until the Gemini emulator (dev.sieve.embed.gemini) is
      // merged; then pass a RemoteModel that starts the emulator and the gemini provider against it.
      var options = new EmbedBenchmark.Options(EmbedBenchmark.STAND_IN, Duration.ofMillis(latencyMs), batchSize,
          maxInFlight, partitions, events, naiveEvents, localEvents, Duration.ofSeconds(outageSeconds), settings);
      new EmbedBenchmark(options, System.out).run();
      return 0;
    }
  }
}
