package dev.sieve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code sieve labels apply|list|delete} against a real broker. */
@ExtendWith(SharedKafkaBroker.class)
class LabelsCommandTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private List<String> connection;

  @BeforeEach
  void topics(EmbeddedKafkaBroker broker, TestInfo test) {
    String labels = TopicNames.unique(test, "labels");
    String centroids = TopicNames.unique(test, "centroids");
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(List.of(
          new TopicSpec(labels, 1, (short) 1, Map.of("cleanup.policy", "compact")),
          new TopicSpec(centroids, 1, (short) 1, Map.of("cleanup.policy", "compact"))));
    }
    connection = List.of("--bootstrap-servers", broker.bootstrapServers(),
        "--registry-url", "mem://" + TopicNames.unique(test, "registry"),
        "-D", "sieve.topic.labels=" + labels, "-D", "sieve.topic.centroids=" + centroids);
  }

  @Test
  void applyWritesOnlyNewAndChangedLabelsAndDryRunWritesNothing() throws Exception {
    Path file = write("""
        labels:
          - id: sports
            kind: category
            examples: [{text: The striker scored}]
            threshold: 0.35
          - id: threats
            kind: moderation
            examples: [{text: I will hurt you}]
            review: 0.45
            block: 0.6
        """);
    assertThat(labels("apply", "-f", file.toString(), "--dry-run")).isZero();
    assertThat(takeOut()).contains("+ sports (new category)\n+ threats (new moderation)\n")
        .contains("Dry run: 2 label(s) would be written");
    assertThat(labels("list")).isZero();
    assertThat(takeOut()).contains("0 label(s) on");

    assertThat(labels("apply", "-f", file.toString(), "--changed-by", "ops")).isZero();
    assertThat(takeOut()).contains("2 label(s) written to");

    Files.writeString(file, Files.readString(file).replace("review: 0.45", "review: 0.5"));
    assertThat(labels("apply", "-f", file.toString())).isZero();
    assertThat(takeOut()).contains("= sports (unchanged)\n~ threats: review 0.45 → 0.5\n")
        .contains("1 label(s) written to").contains("1 unchanged");

    assertThat(labels("list")).isZero();
    assertThat(takeOut()).containsPattern("sports +category +true +1 +threshold 0.35 +not compiled")
        .containsPattern("threats +moderation +true +1 +review 0.5 block 0.6 +not compiled")
        .contains("2 label(s) on");
  }

  @Test
  void deleteRemovesALabelAndReportsAnUnknownOne() throws Exception {
    Path file = write("labels:\n  - id: travel\n    kind: category\n    description: Travel writing\n");
    assertThat(labels("apply", "-f", file.toString())).isZero();
    assertThat(labels("delete", "travel")).isZero();
    assertThat(labels("delete", "travel")).isEqualTo(1);
    assertThat(err.toString()).contains("no label 'travel'");
    takeOut();
    assertThat(labels("list")).isZero();
    assertThat(takeOut()).contains("0 label(s) on");
  }

  @Test
  void anInvalidFileIsRejectedWithItsLinesAndNothingIsWritten() throws Exception {
    Path file = write("labels:\n  - id: a\n    kind: category\n    description: x\n    threshold: -2\n"
        + "  - id: a\n    kind: category\n    description: y\n");
    assertThat(labels("apply", "-f", file.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("2 problems, nothing written")
        .contains("line 5: label 'a': threshold: -2.0 is outside [-1, 1]")
        .contains("line 6: label 'a': duplicate id (first defined at line 2)");
    assertThat(labels("list")).isZero();
    assertThat(takeOut()).contains("0 label(s) on");
  }

  private int labels(String... args) {
    var cli = SieveCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("labels"));
    all.addAll(List.of(args));
    all.addAll(connection);
    return cli.execute(all.toArray(String[]::new));
  }

  private String takeOut() {
    String text = out.toString();
    out.getBuffer().setLength(0);
    return text;
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("labels.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
