package dev.sieve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.config.SieveConfig;
import dev.sieve.demo.DemoInput;
import dev.sieve.demo.DemoRecord;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.EventEmbedder;
import dev.sieve.embed.UnembeddableContentException;
import dev.sieve.labels.EvaluationReport;
import dev.sieve.labels.InvalidLabelException;
import dev.sieve.labels.LabelAdmin;
import dev.sieve.labels.LabelCompiler;
import dev.sieve.labels.LabelEvaluation;
import dev.sieve.labels.LabelFile;
import dev.sieve.service.SieveService;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sieve labels eval}: how well the labels reproduce a labelled data set, and better thresholds. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Embed labelled events (the demo's JSON Lines plus a \"label\" field: a label id, or any",
        "other value for none) and print per-label precision, recall and F1 at the current thresholds, a",
        "confusion matrix of the categories, the threshold that maximises F1 and (moderation) the one that",
        "reaches --precision. Labels come from --labels (compiled here) or else from the centroids topic.",
        "Writes an HTML report with a precision-recall curve per label."})
final class LabelsEvalCommand implements Callable<Integer> {

  @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Labelled events.")
  Path data;

  @Option(names = "--labels", paramLabel = "FILE.yaml",
      description = "Label file to compile with the configured provider; default: the compiled labels on the cluster.")
  Path labels;

  @Option(names = "--precision", defaultValue = "0.9", paramLabel = "P",
      description = "Precision moderation thresholds should reach (default: ${DEFAULT-VALUE}).")
  double precision;

  @Option(names = "--report", defaultValue = "labels-eval.html", paramLabel = "FILE.html",
      description = "HTML report (default: ${DEFAULT-VALUE}).")
  Path report;

  @Mixin
  ConnectionOptions connection;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    // With a label file nothing is read from a cluster: placeholders satisfy the required settings.
    SieveConfig config = connection.sources(labels == null ? Map.of() : Map.of(
        SieveConfig.REGISTRY_URL, SieveConfig.IN_PROCESS_REGISTRY, "bootstrap.servers", "unused:9092")).toConfig();
    try (EmbeddingProvider provider = SieveService.createProvider(config)) {
      List<LabelCentroids> compiled = labels != null ? compile(provider, LabelFile.read(labels))
          : new ArrayList<>(new LabelAdmin(config, Clock.systemUTC()).centroids().values());
      List<LabelEvaluation.Item> items = embed(provider, out);
      LabelEvaluation.Result result = LabelEvaluation.evaluate(compiled, provider.space(), items, precision);
      EvaluationReport.printText(result, out);
      Files.writeString(report, EvaluationReport.html(result, "Sieve label evaluation: " + data.getFileName()));
      out.println();
      out.println("Report written to " + report);
      return 0;
    }
  }

  private static List<LabelCentroids> compile(EmbeddingProvider provider, List<LabelDefinition> definitions) {
    LabelCompiler compiler = new LabelCompiler(provider, Clock.systemUTC());
    List<LabelCentroids> compiled = new ArrayList<>();
    for (LabelDefinition definition : definitions) {
      try {
        compiled.add(compiler.compile(definition, 0));
      } catch (InvalidLabelException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    return compiled;
  }

  /** The events of the data file with their "label" field, embedded; unembeddable ones are skipped and counted. */
  private List<LabelEvaluation.Item> embed(EmbeddingProvider provider, PrintWriter out) throws Exception {
    Map<String, String> truth = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        JsonNode node = json.readTree(line);
        if (node.hasNonNull("id") && node.hasNonNull("label")) {
          truth.put(node.get("id").asText(), node.get("label").asText());
        }
      }
    }
    DemoInput.Parsed parsed;
    try (BufferedReader reader = Files.newBufferedReader(data, StandardCharsets.UTF_8)) {
      parsed = new DemoInput(data.toAbsolutePath().getParent(), Instant.now()).read(reader);
    }
    parsed.problems().forEach(p -> out.printf("line %d skipped: %s%n", p.line(), p.message()));
    EventEmbedder embedder = new EventEmbedder(provider);
    List<LabelEvaluation.Item> items = new ArrayList<>();
    int skipped = 0;
    for (DemoRecord record : parsed.records()) {
      String label = truth.get(record.id());
      if (record.event() == null || label == null) {
        skipped++;
        continue;
      }
      try {
        EmbeddedMedia embedded = embedder.embed(record.event());
        float[] vector = new float[embedded.getVector().size()];
        for (int d = 0; d < vector.length; d++) {
          vector[d] = embedded.getVector().get(d);
        }
        items.add(new LabelEvaluation.Item(record.id(), label, vector));
      } catch (UnembeddableContentException e) {
        skipped++;
      }
    }
    out.printf("%d events embedded (%.0f/s), %d skipped (no \"label\", raw or unembeddable).%n", items.size(),
        embedder.totals().eventsPerSecond(), skipped);
    return items;
  }
}
