package dev.sieve.cli;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.config.SieveConfig;
import dev.sieve.labels.DefinitionHash;
import dev.sieve.labels.LabelAdmin;
import dev.sieve.labels.LabelChange;
import dev.sieve.labels.LabelFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sieve labels}: manage the labels on the labels topic. */
@Command(name = "labels", mixinStandardHelpOptions = true,
    description = "Apply, list, delete and evaluate labels (categories and moderation labels).",
    subcommands = {LabelsCommand.Apply.class, LabelsCommand.ListLabels.class, LabelsCommand.Delete.class,
        LabelsEvalCommand.class})
final class LabelsCommand {

  private static LabelAdmin admin(ConnectionOptions connection) {
    SieveConfig config = connection.sources(Map.of()).toConfig();
    if (config.bootstrapServers().isBlank()) {
      throw new ConfigException("bootstrap.servers", "", "required (--bootstrap-servers, KAFKA_BOOTSTRAP_SERVERS "
          + "or the config file)");
    }
    return new LabelAdmin(config, Clock.systemUTC());
  }

  /** {@code sieve labels apply -f labels.yaml}. */
  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Write the labels of a YAML file to the labels topic; only new and changed labels are "
          + "written. The whole file is checked first: any problem and nothing is written.",
          "Labels on the topic that the file does not name are kept (use 'sieve labels delete')."})
  static final class Apply implements Callable<Integer> {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE.yaml", description = "The label file.")
    Path file;

    @Option(names = "--dry-run", description = "Show what would change, write nothing.")
    boolean dryRun;

    @Option(names = "--changed-by", paramLabel = "NAME", defaultValue = "${sys:user.name}",
        description = "Recorded as changedBy (default: ${DEFAULT-VALUE}).")
    String changedBy;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      List<LabelDefinition> labels = LabelFile.read(file);
      LabelAdmin admin = admin(connection);
      List<LabelChange> changes = LabelChange.plan(labels, admin.definitions());
      PrintWriter out = spec.commandLine().getOut();
      changes.forEach(out::println);
      long writes = changes.stream().filter(LabelChange::writes).count();
      if (dryRun) {
        out.printf("Dry run: %d label(s) would be written to %s, %d unchanged.%n", writes,
            admin.topics().labels().name(), changes.size() - writes);
        return 0;
      }
      admin.apply(changes, changedBy);
      out.printf("%d label(s) written to %s, %d unchanged.%n", writes, admin.topics().labels().name(),
          changes.size() - writes);
      return 0;
    }
  }

  /** {@code sieve labels list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the labels on the labels topic with their thresholds and compiled state.")
  static final class ListLabels implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      LabelAdmin admin = admin(connection);
      Map<String, LabelDefinition> labels = admin.definitions();
      Map<String, LabelCentroids> compiled = admin.centroids();
      PrintWriter out = spec.commandLine().getOut();
      int width = Math.max(5, labels.keySet().stream().mapToInt(String::length).max().orElse(5));
      String row = "%-" + width + "s  %-10s  %-7s  %8s  %-22s  %s%n";
      out.printf(row, "LABEL", "KIND", "ENABLED", "EXAMPLES", "THRESHOLDS", "COMPILED");
      labels.values().forEach(label -> out.printf(row, label.getId(),
          label.getKind().name().toLowerCase(), label.getEnabled(),
          label.getExamples().size() + (label.getNegativeExamples().isEmpty() ? "" : "/-" + label.getNegativeExamples().size()),
          thresholds(label), compiled(label, compiled.get(label.getId()))));
      out.printf("%d label(s) on %s.%n", labels.size(), admin.topics().labels().name());
      return 0;
    }

    private static String thresholds(LabelDefinition label) {
      if (label.getKind() == LabelKind.CATEGORY) {
        return "threshold " + (label.getThreshold() == null ? "default" : label.getThreshold());
      }
      return "review " + label.getReviewThreshold() + " block " + label.getBlockThreshold();
    }

    private static String compiled(LabelDefinition label, LabelCentroids centroids) {
      if (centroids == null) {
        return "not compiled";
      }
      String state = centroids.getDefinitionHash().equals(DefinitionHash.of(label)) ? "" : " (outdated)";
      return "v" + centroids.getVersion() + " " + centroids.getSpace().getProvider() + "/"
          + centroids.getSpace().getModel() + ", " + centroids.getPrototypes().size() + " prototype(s)" + state;
    }
  }

  /** {@code sieve labels delete ID}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a label (a tombstone on the labels topic); its centroids go too.")
  static final class Delete implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The label's id.")
    String id;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      if (!admin(connection).delete(id)) {
        spec.commandLine().getErr().println("sieve: no label '" + id + "'");
        return 1;
      }
      spec.commandLine().getOut().println("Label '" + id + "' deleted.");
      return 0;
    }
  }
}
