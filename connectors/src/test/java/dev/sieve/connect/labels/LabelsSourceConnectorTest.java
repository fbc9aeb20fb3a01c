package dev.sieve.connect.labels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.connect.worker.ConnectWorker;
import dev.sieve.connect.worker.Topics;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.serde.SpecificAvroDeserializer;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The labels source in a standalone worker: a directory of label files kept in line with the topic. */
@ExtendWith(SharedKafkaBroker.class)
class LabelsSourceConnectorTest {

  @TempDir(factory = BuildDirTempDirFactory.class)
  static Path workerDir;

  private static ConnectWorker worker;
  private String connector;

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path dir;

  @BeforeAll
  static void startWorker(EmbeddedKafkaBroker broker) {
    worker = ConnectWorker.standalone(broker, workerDir.resolve("offsets"));
  }

  @AfterAll
  static void stopWorker() {
    worker.close();
  }

  @AfterEach
  void deleteConnector() throws Exception {
    if (connector != null) {
      worker.delete(connector);
    }
  }

  @Test
  void writesNewAndChangedLabelsAndATombstoneForARemovedOne(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Files.writeString(dir.resolve("labels.yaml"), sports(0.35) + threats());
    Source source = start(broker, test);
    assertThat(source.labels(2)).containsExactly("sports=0.35", "threats=0.6");

    Files.writeString(dir.resolve("labels.yaml"), sports(0.4) + threats());
    assertThat(source.labels(3)).containsExactly("sports=0.35", "threats=0.6", "sports=0.4");

    Files.writeString(dir.resolve("labels.yaml"), sports(0.4));
    assertThat(source.labels(4)).containsExactly("sports=0.35", "threats=0.6", "sports=0.4", "threats=tombstone");
  }

  @Test
  void anInvalidFileChangesNothingAndIsReportedWithFileLineAndReason(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Files.writeString(dir.resolve("labels.yaml"), sports(0.35) + threats());
    Source source = start(broker, test);
    source.labels(2);

    // Line 10: 'review' is not a number. threats stays, sports is not changed to 0.5.
    Files.writeString(dir.resolve("labels.yaml"), sports(0.5) + threats().replace("review: 0.45", "review: high"));
    JsonNode problem = source.problems(1).get(0);
    Files.writeString(dir.resolve("marker.yaml"), "labels:\n  - id: marker\n    kind: category\n    description: written after the invalid file\n");

    assertThat(source.labels(3)).containsExactly("sports=0.35", "threats=0.6", "marker=null");
    assertThat(problem.get("file").asText()).isEqualTo(dir.resolve("labels.yaml").toString());
    assertThat(problem.get("line").asInt()).isEqualTo(10);
    assertThat(problem.get("reason").asText()).isEqualTo("invalid-label-file");
    assertThat(problem.get("message").asText()).isEqualTo("label 'threats': review: 'high' is not a number");
  }

  @Test
  void aFileDeletedWhileTheConnectorWasStoppedTombstonesItsLabelsOnly(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), sports(0.35));
    Files.writeString(dir.resolve("b.yaml"), "labels:\n" + threats());
    Source source = start(broker, test);
    source.labels(2);
    worker.delete(source.name);

    Files.delete(dir.resolve("b.yaml"));
    worker.start(source.name, source.config);

    assertThat(source.labels(3)).containsExactly("sports=0.35", "threats=0.6", "threats=tombstone");
  }

  private static String sports(double threshold) {
    return """
        labels:
          - id: sports
            kind: category
            examples:
              - text: The striker scored twice in the derby
            threshold: %s
        """.formatted(threshold);
  }

  /** A second label for the list of {@link #sports} (its lines 7-11 there). */
  private static String threats() {
    return """
          - id: threats
            kind: moderation
            examples: [{text: I will hurt you if you come here again}]
            review: 0.45
            block: 0.60
        """;
  }

  private Source start(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    String name = TopicNames.unique(test, "labels-source");
    String topic = TopicNames.unique(test, "labels");
    String problems = TopicNames.unique(test, "problems");
    String registry = "mem://" + TopicNames.unique(test, "registry");
    Topics.create(broker, topic, problems);
    Map<String, String> config = new HashMap<>(Map.of(
        "connector.class", LabelsSourceConnector.class.getName(),
        "directory", dir.toString(),
        "topic", topic,
        "problems.topic", problems,
        "schema.registry.url", registry,
        "poll.interval.ms", "100"));
    connector = name;
    worker.start(name, config);
    return new Source(broker, name, topic, problems, registry, config);
  }

  private record Source(EmbeddedKafkaBroker broker, String name, String topic, String problemsTopic, String registry,
      Map<String, String> config) {

    /** "id=threshold" (block threshold for moderation labels) or "id=tombstone", in topic order. */
    List<String> labels(int expected) {
      SpecificAvroDeserializer<LabelDefinition> decoder = Topics.decoder(registry);
      List<String> labels = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> record : Topics.read(broker, topic, expected)) {
        if (record.value() == null) {
          labels.add(record.key() + "=tombstone");
          continue;
        }
        LabelDefinition label = decoder.deserialize(topic, record.value());
        assertThat(label.getId()).isEqualTo(record.key());
        assertThat(label.getChangedBy()).isEqualTo("labels-source-connector");
        Float threshold = label.getThreshold() != null ? label.getThreshold() : label.getBlockThreshold();
        labels.add(label.getId() + "=" + threshold);
      }
      return labels;
    }

    List<JsonNode> problems(int expected) {
      return Topics.read(broker, problemsTopic, expected).stream().map(r -> Topics.json(r.value())).toList();
    }
  }
}
