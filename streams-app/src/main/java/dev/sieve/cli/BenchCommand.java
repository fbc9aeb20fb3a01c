package dev.sieve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sieve.classify.ClassifierBenchmark;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sieve bench}: benchmarks that print figures with an in-run baseline and end with one JSON line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: figures with an in-run baseline, ending with one line of JSON.",
    subcommands = {BenchCommand.Classify.class})
final class BenchCommand {

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
}
