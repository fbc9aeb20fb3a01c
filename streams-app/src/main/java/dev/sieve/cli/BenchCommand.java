package dev.sieve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sieve.bench.E2eBenchmark;
import dev.sieve.bench.EmbedBenchmark;
import dev.sieve.chaos.ChaosBenchmark;
import dev.sieve.classify.ClassifierBenchmark;
import dev.sieve.dedup.CorpusDuplicates;
import dev.sieve.dedup.DedupBenchmark;
import dev.sieve.dedup.DedupSettings;
import dev.sieve.dedup.LexicalRule;
import dev.sieve.dedup.TextPairMeasurement;
import dev.sieve.embed.local.LocalEmbeddingProvider;
import dev.sieve.embed.local.LocalModelSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sieve bench}: benchmarks, one subcommand each; each prints its figures and a JSON line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Benchmarks. Each prints its figures with an in-run baseline and ends with one",
        "line of JSON holding every figure."},
    subcommands = {BenchCommand.Embed.class, BenchCommand.Classify.class, BenchCommand.Dedup.class,
        BenchCommand.EndToEnd.class, BenchCommand.Chaos.class})
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

    @Option(names = "--stand-in", description = "Use an in-process stand-in instead of the Gemini provider against "
        + "the local Gemini emulator (no HTTP).")
    boolean standIn;

    @Option(names = "--batch-size", defaultValue = "64", description = "Records per call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-in-flight", defaultValue = "16", description = "Calls at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--partitions", defaultValue = "4", description = "Input partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--events", defaultValue = "100000",
        description = "Events of each stage run; long enough that starting and draining weigh little (default: ${DEFAULT-VALUE}).")
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
      var remote = standIn ? EmbedBenchmark.STAND_IN : EmbedBenchmark.GEMINI_EMULATOR;
      var options = new EmbedBenchmark.Options(remote, Duration.ofMillis(latencyMs), batchSize,
          maxInFlight, partitions, events, naiveEvents, localEvents, Duration.ofSeconds(outageSeconds), settings);
      new EmbedBenchmark(options, System.out).run();
      return 0;
    }
  }

  /** {@code sieve bench e2e}: the whole service against the Kafka ceiling and the model alone. */
  @Command(name = "e2e", mixinStandardHelpOptions = true,
      description = {"On an embedded broker, in one run: (1) a plain exactly_once_v2 passthrough, (2) the full",
          "topology with precomputed vectors, (3) the full topology with the local model, (4) the local model",
          "alone: events/s, p50/p99 latency, peak heap, state bytes, ratios (2)/(1) and (3)/(4); with compiled",
          "labels and a pre-filled near-duplicate index. Then 1 vs more instances and per-event cost against",
          "index size and label count."})
  static final class EndToEnd implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "5000",
        description = "Events of each precomputed-vector run (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--passthrough-events", defaultValue = "50000",
        description = "Events of the passthrough run (default: ${DEFAULT-VALUE}).")
    int passthroughEvents;

    @Option(names = "--local-events", defaultValue = "2000",
        description = "Events of the local-model run and of the model alone (default: ${DEFAULT-VALUE}).")
    int localEvents;

    @Option(names = "--latency-events", defaultValue = "500",
        description = "Events of each latency phase, sent at half the measured rate (default: ${DEFAULT-VALUE}).")
    int latencyEvents;

    @Option(names = "--partitions", defaultValue = "4", description = "Input partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--index", split = ",", defaultValue = "10000,100000,1000000", paramLabel = "N,...",
        description = "Pre-filled index sizes; runs (2) and (3) use the largest (default: ${DEFAULT-VALUE}).")
    List<Integer> indexSizes;

    @Option(names = "--label-counts", split = ",", defaultValue = "10,100,1000", paramLabel = "N,...",
        description = "Label counts of the label sweep, at the smallest index (default: ${DEFAULT-VALUE}).")
    List<Integer> labelCounts;

    @Option(names = "--labels", defaultValue = "100", description = "Labels of runs (2) and (3) (default: ${DEFAULT-VALUE}).")
    int labels;

    @Option(names = "--instances", defaultValue = "2",
        description = "Instances compared with one (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--docs", paramLabel = "FILE",
        description = "Also write the tables into FILE (e.g. docs/benchmarks.md) and SVG charts into charts/ beside it.")
    Path docs;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
        description = "A Sieve or Kafka Streams setting for every run.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      // Every run is part of the figures and ratios: one without events would print NaN.
      atLeastOne("--events", events);
      atLeastOne("--passthrough-events", passthroughEvents);
      atLeastOne("--local-events", localEvents);
      atLeastOne("--partitions", partitions);
      atLeastOne("--labels", labels);
      atLeastOne("--instances", instances);
      new E2eBenchmark(new E2eBenchmark.Options(events, passthroughEvents, localEvents, latencyEvents, partitions,
          indexSizes, labelCounts, labels, instances, settings), System.out).run(docs);
      return 0;
    }

    private void atLeastOne(String option, int value) {
      if (value < 1) {
        throw new ParameterException(spec.commandLine(), option + " must be at least 1, was " + value);
      }
    }
  }

  /** {@code sieve bench classify}. */
  @Command(name = "classify", mixinStandardHelpOptions = true,
      description = {"Classifier throughput on one thread (events/s) with 10, 100 and 1,000 labels of 3 prototypes",
          "at 768 dimensions: the dimension-major index vs a naive loop over label objects, and the whole",
          "classify step (index, category, moderation records)."})
  static final class Classify implements Callable<Integer> {
    @Option(names = "--labels", split = ",", defaultValue = "10,100,1000", paramLabel = "N,...",
        description = "Label counts (default: ${DEFAULT-VALUE}).")
    List<Integer> labelCounts;

    @Option(names = "--prototypes", defaultValue = "3", description = "Prototypes per label (default: ${DEFAULT-VALUE}).")
    int prototypes;

    @Option(names = "--dimensions", defaultValue = "768", description = "Vector dimensions (default: ${DEFAULT-VALUE}).")
    int dimensions;

    @Option(names = "--seconds", defaultValue = "2", description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      ClassifierBenchmark benchmark = new ClassifierBenchmark(dimensions, prototypes, seconds);
      ObjectMapper json = new ObjectMapper();
      ObjectNode summary = json.createObjectNode().put("benchmark", "classify").put("dimensions", dimensions)
          .put("prototypesPerLabel", prototypes).put("threads", 1)
          .put("java", System.getProperty("java.version"));
      var rows = summary.putArray("results");
      out.printf("Classifier, one thread, %d dims, %d prototypes per label (events/s):%n", dimensions, prototypes);
      out.printf("%8s %11s %14s %14s %8s %16s%n", "labels", "prototypes", "index", "naive loop", "ratio", "classify step");
      for (int labels : labelCounts) {
        ClassifierBenchmark.Result r = benchmark.run(labels);
        out.printf("%8d %11d %14.0f %14.0f %7.1fx %16.0f%n", r.labels(), r.prototypes(), r.indexEventsPerSecond(),
            r.naiveEventsPerSecond(), r.speedup(), r.classifyEventsPerSecond());
        out.flush();
        rows.addObject().put("labels", r.labels()).put("prototypes", r.prototypes())
            .put("indexEventsPerSecond", Math.round(r.indexEventsPerSecond()))
            .put("naiveEventsPerSecond", Math.round(r.naiveEventsPerSecond()))
            .put("speedup", Math.round(r.speedup() * 100) / 100.0)
            .put("classifyEventsPerSecond", Math.round(r.classifyEventsPerSecond()));
      }
      out.println(json.writeValueAsString(summary));
      return 0;
    }
  }

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

    @Option(names = "--corpus", paramLabel = "FILE", description = "Also measure real near duplicates: one JSON "
        + "line {\"id\", \"text\"} per e-mail, as examples/spam-assassin/mails.py writes (SpamAssassin), "
        + "embedded with the local model.")
    Path corpus;

    @Option(names = "--corpus-vectors", paramLabel = "FILE", description = "Keep the corpus's vectors in FILE "
        + "and reuse them on the next run with the same corpus options (embedding takes minutes).")
    Path corpusVectors;

    @Option(names = "--lexical-jaccard", description = "The lexical rule's Jaccard for the corpus "
        + "(default: sieve.dedup.lexical.jaccard's default).")
    Double lexicalJaccard;

    @Option(names = "--lexical-min-jaccard", description = "The lexical rule's minimum Jaccard with the cosine for "
        + "the corpus (default: sieve.dedup.lexical.min.jaccard's default).")
    Double lexicalMinJaccard;

    @Option(names = "--corpus-limit", defaultValue = "6046",
        description = "E-mails of the corpus used, its first ones (default ${DEFAULT-VALUE}).")
    int corpusLimit;

    @Option(names = "--corpus-copy-every", defaultValue = "4",
        description = "An edited copy of every n-th distinct e-mail (default ${DEFAULT-VALUE}).")
    int corpusCopyEvery;

    @Override
    public Integer call() throws IOException {
      Map<String, Object> measured = new LinkedHashMap<>();
      if (!noModel || corpus != null) {
        try (var provider = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS)) {
          if (!noModel) {
            measured.put("localModelTextPairs", new TextPairMeasurement(provider).run(System.out,
                DedupSettings.DEFAULTS.threshold(), LexicalRule.DEFAULTS));
          }
          if (corpus != null) {
            LexicalRule defaults = LexicalRule.DEFAULTS;
            DedupSettings settings = DedupSettings.DEFAULTS.withLexical(new LexicalRule(true,
                lexicalJaccard == null ? defaults.jaccard() : lexicalJaccard,
                lexicalMinJaccard == null ? defaults.minJaccard() : lexicalMinJaccard));
            double[] thresholds = {settings.threshold(), 0.90, 0.95};
            measured.put("corpus", new CorpusDuplicates(provider, settings)
                .run(readCorpus(corpus), corpusLimit, corpusCopyEvery, thresholds, seed, corpusVectors,
                    System.out));
          }
        }
      }
      new DedupBenchmark(stored, dimensions, queries, bits, seed).run(System.out, measured);
      return 0;
    }

    private static List<CorpusDuplicates.Mail> readCorpus(Path file) throws IOException {
      ObjectMapper mapper = new ObjectMapper();
      List<CorpusDuplicates.Mail> mails = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          var node = mapper.readTree(line);
          mails.add(new CorpusDuplicates.Mail(node.path("id").asText(), node.path("text").asText()));
        }
      }
      return mails;
    }
  }

  /** {@code sieve bench chaos}. */
  @Command(name = "chaos", mixinStandardHelpOptions = true,
      description = {"Fault injection: the input through 'sieve run' in a child JVM twice, undisturbed and while",
          "the application is SIGKILLed and restarted, the broker restarted, and the Gemini provider (emulated)",
          "throttles and is unreachable; then checks with a read_committed consumer that no event was lost or",
          "doubled on any result topic and that the duplicate flags name the same pairs as the undisturbed run.",
          "Exit code 1 if anything was lost, doubled or mismatched."})
  static final class Chaos implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "100000", description = "Input events (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--pair-share", defaultValue = "0.2",
        description = "Share of events in planted duplicate pairs, half exact, half near (default: ${DEFAULT-VALUE}).")
    double pairShare;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed of input and faults (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--kills", defaultValue = "5", description = "SIGKILLs of the application (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--broker-restarts", defaultValue = "1", description = "Broker restarts (default: ${DEFAULT-VALUE}).")
    int brokerRestarts;

    @Option(names = "--throttle-seconds", defaultValue = "30",
        description = "Seconds the provider answers HTTP 429; 0: never (default: ${DEFAULT-VALUE}).")
    long throttleSeconds;

    @Option(names = "--unreachable-seconds", defaultValue = "30",
        description = "Seconds the provider refuses connections, right after the 429s; 0: never (default: ${DEFAULT-VALUE}).")
    long unreachableSeconds;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--dimensions", defaultValue = "256",
        description = "Vector dimensions asked of the provider (default: ${DEFAULT-VALUE}).")
    int dimensions;

    @Option(names = "--timeout-minutes", defaultValue = "30",
        description = "Longest a run may take; what is missing then counts as lost (default: ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Option(names = "--app-heap", defaultValue = "768m", description = "The application's -Xmx (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
        description = "A Sieve or Kafka Streams setting of the application, e.g. -D session.timeout.ms=10000.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--keep-work-dir", description = "Keep broker data, application state and logs after a pass too.")
    boolean keepWorkDir;

    @Override
    public Integer call() throws Exception {
      var options = new ChaosBenchmark.Options(events, pairShare, seed, kills, brokerRestarts,
          Duration.ofSeconds(throttleSeconds), Duration.ofSeconds(unreachableSeconds), partitions, dimensions,
          Duration.ofMinutes(timeoutMinutes), heap, settings, keepWorkDir);
      // The broker and clients of this JVM would bury the report in reconnect warnings during the
      // faults; the application's own log goes to a file (see the report).
      Configurator.setLevel("org.apache.kafka", Level.ERROR);
      Configurator.setLevel("kafka", Level.ERROR);
      return Boolean.TRUE.equals(new ChaosBenchmark(options, System.out).run().get("passed")) ? 0 : 1;
    }
  }
}
