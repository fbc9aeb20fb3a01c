package dev.sieve.cli;

import dev.sieve.demo.DemoRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sieve demo}: the whole pipeline on an embedded broker, with sample or your events. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run Sieve end to end on sample events (or yours) and print the results.",
        "Without --bootstrap-servers it starts an embedded single-node Kafka broker and an",
        "in-process schema registry, and uses the local embedding model."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--input", paramLabel = "FILE.jsonl",
      description = "Events to process, one JSON object per line (see README). Default: the bundled sample.")
  Path input;

  @Option(names = "--output", paramLabel = "FILE.jsonl",
      description = "Write every result record as {\"topic\",\"key\",\"value\"} JSON Lines.")
  Path output;

  @Option(names = "--labels", paramLabel = "FILE.yaml",
      description = "Labels to apply before the events run (see README). Default: the bundled labels.")
  Path labels;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
      description = "Longest wait for all results (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Mixin
  ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    var options = new DemoRun.Options(input, output, labels, Duration.ofSeconds(timeoutSeconds), connection.sources(Map.of()));
    return new DemoRun(options, System.out, System.err).run();
  }
}
