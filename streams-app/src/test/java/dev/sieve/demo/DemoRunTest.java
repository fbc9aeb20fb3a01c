package dev.sieve.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.config.ConfigSources;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code sieve demo} end to end: real broker, real topology, real model, in-process registry. */
@ExtendWith(SharedKafkaBroker.class)
class DemoRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @Test
  void theBundledSampleGivesOneResultPerEventWithTheExpectedOutcomes(EmbeddedKafkaBroker broker, TestInfo test)
      throws Exception {
    Path output = dir.resolve("results.jsonl");
    int exit = demo(null, output, broker, test);

    assertThat(exit).isZero();
    Map<String, List<JsonNode>> byKey = readOutput(output);
    // 37 readable lines in the sample; the 38th line is broken JSON. Each event has one dead letter,
    // or one embedding, one category, one moderation record and one duplicate flag.
    assertThat(byKey).hasSize(37).allSatisfy((key, results) -> assertThat(roles(results))
        .isIn(List.of("dlq"), List.of("categories", "duplicates", "embeddings", "moderation")));
    assertThat(text()).contains("input line 38 skipped: not valid JSON");

    // The bundled labels give the sample's events their categories and verdicts.
    assertThat(category(byKey, "sports-1")).isEqualTo("sports");
    assertThat(category(byKey, "sports-2")).isEqualTo("sports");
    assertThat(category(byKey, "tech-1")).isEqualTo("technology");
    assertThat(category(byKey, "tech-2")).isEqualTo("technology");
    assertThat(category(byKey, "cooking-1")).isEqualTo("cooking");
    assertThat(category(byKey, "cooking-2")).isEqualTo("cooking");
    assertThat(category(byKey, "finance-1")).isEqualTo("finance");
    assertThat(category(byKey, "finance-3")).isEqualTo("finance");
    assertThat(category(byKey, "travel-2")).isEqualTo("travel");
    assertThat(verdict(byKey, "threat-1")).isEqualTo("BLOCK threats");
    assertThat(verdict(byKey, "harass-1")).isEqualTo("REVIEW harassment");
    assertThat(verdict(byKey, "spam-1")).isEqualTo("REVIEW spam");
    assertThat(verdict(byKey, "spam-2")).isEqualTo("REVIEW spam");
    for (String innocent : List.of("sports-1", "tech-1", "cooking-1", "finance-1", "travel-1", "caption-1", "scoped-1")) {
      assertThat(verdict(byKey, innocent)).as(innocent).isEqualTo("ALLOW");
    }
    assertThat(value(byKey, "threat-1", "moderation").get("hits").get(0).get("nearestExample").asText())
        .startsWith("threats#");

    assertThat(reason(byKey, "bad-not-avro")).isEqualTo("decode/wrong-magic-byte");
    assertThat(reason(byKey, "bad-unknown-schema")).isEqualTo("decode/unknown-schema-id");
    assertThat(reason(byKey, "bad-no-parts")).isEqualTo("validate/no-parts");
    assertThat(reason(byKey, "bad-two-payloads")).isEqualTo("validate/part-with-several-payloads");
    assertThat(reason(byKey, "bad-empty-text")).isEqualTo("validate/empty-text");
    assertThat(reason(byKey, "bad-mime-type")).isEqualTo("validate/unsupported-mime-type");
    assertThat(reason(byKey, "image-only")).isEqualTo("embed/unsupported-modality-for-provider");
    assertThat(value(byKey, "bad-not-avro").get("originalValue").asText()).startsWith("{\"id\"");

    JsonNode essay = value(byKey, "long-essay", "embeddings");
    assertThat(essay.get("truncated").asBoolean()).isTrue();
    assertThat(essay.get("vector")).hasSize(384);
    assertThat(essay.get("space").get("provider").asText()).isEqualTo("local");
    assertThat(value(byKey, "sports-1", "embeddings").get("contentHash"))
        .isEqualTo(value(byKey, "sports-1-repost", "embeddings").get("contentHash"))
        .isNotEqualTo(value(byKey, "sports-2", "embeddings").get("contentHash"));
    assertThat(value(byKey, "report-pdf", "embeddings").get("truncated").asBoolean()).isFalse();

    // The sample's planted duplicates: exact reposts, edited copies, and the same text in another scope.
    assertThat(duplicate(byKey, "sports-1-repost")).isEqualTo("EXACT sports-1");
    assertThat(duplicate(byKey, "spam-1-again")).isEqualTo("EXACT spam-1");
    assertThat(duplicate(byKey, "tech-1-near")).isEqualTo("NEAR tech-1");
    assertThat(duplicate(byKey, "cooking-1-near")).isEqualTo("NEAR cooking-1");
    for (String original : List.of("sports-1", "spam-1", "tech-1", "cooking-1", "sports-2", "scoped-1", "scoped-2")) {
      assertThat(duplicate(byKey, original)).as(original).isEqualTo("NONE");
    }

    assertThat(text()).containsPattern("embeddings-\\S+ +30\n").containsPattern("dlq-\\S+ +7\n")
        .containsPattern("categories-\\S+ +30\n").containsPattern("moderation-\\S+ +30\n")
        .containsPattern("duplicates-\\S+ +30\n")
        .contains("events/s end to end").contains("embed stage alone");
  }

  @Test
  void theUsersEventsAreProcessedAndMalformedLinesSkipped(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Files.writeString(dir.resolve("caption.txt"), "a note about the harbour at dusk");
    Path input = dir.resolve("events.jsonl");
    Files.writeString(input, """
        {"id":"u1","text":"Kafka Streams keeps state in RocksDB","attributes":{"title":"State"}}
        {"id":"u2","file":"caption.txt"}
        not json at all
        {"id":"u3","uri":"https://example.com/v.mp4","mimeType":"video/mp4"}
        """);
    Path output = dir.resolve("out.jsonl");
    int exit = demo(input, output, broker, test);

    assertThat(exit).isZero();
    Map<String, List<JsonNode>> byKey = readOutput(output);
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("u1", "u2", "u3");
    assertThat(byKey.get("u1")).extracting(DemoRunTest::role).containsExactlyInAnyOrder("embeddings", "categories", "moderation",
        "duplicates");
    assertThat(reason(byKey, "u3")).isEqualTo("embed/unsupported-modality-for-provider");
    assertThat(text()).contains("input line 3 skipped");
  }

  @Test
  void withoutBootstrapServersItStartsItsOwnBroker() throws Exception {
    Path input = dir.resolve("one.jsonl");
    Files.writeString(input, "{\"id\":\"solo\",\"text\":\"one event on a broker of its own\"}\n");
    var options = new DemoRun.Options(input, null, null, Duration.ofSeconds(120), new ConfigSources());
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    int exit = new DemoRun(options, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

    assertThat(exit).isZero();
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("starting an embedded Kafka broker");
    assertThat(text()).contains("solo").containsPattern("media.embeddings +1\n");
  }

  @Test
  void theUsersLabelsReplaceTheBundledOnes(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Path input = dir.resolve("events.jsonl");
    Files.writeString(input, """
        {"id":"k1","text":"Stream processing with Kafka keeps state in local stores"}
        {"id":"k2","text":"Grandma's apple pie with cinnamon"}
        """);
    Path labels = dir.resolve("labels.yaml");
    Files.writeString(labels, """
        labels:
          - id: kafka
            kind: category
            examples:
              - text: Kafka topics, partitions and consumer groups
              - text: Event streaming platforms process records in real time
            threshold: 0.3
        """);
    Path output = dir.resolve("out.jsonl");
    int exit = demo(input, labels, output, broker, test);

    assertThat(exit).isZero();
    Map<String, List<JsonNode>> byKey = readOutput(output);
    assertThat(category(byKey, "k1")).isEqualTo("kafka");
    assertThat(category(byKey, "k2")).isEqualTo("unknown");
    assertThat(verdict(byKey, "k1")).isEqualTo("ALLOW");
    assertThat(value(byKey, "k1", "moderation").get("reason").asText()).isEqualTo("no-moderation-labels");
  }

  @Test
  void anInvalidLabelFileStopsTheDemoBeforeAnythingRuns(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Path labels = dir.resolve("labels.yaml");
    Files.writeString(labels, "labels:\n  - id: x\n    kind: category\n    description: d\n    threshold: 2\n");
    int exit = demo(null, labels, null, broker, test);

    assertThat(exit).isEqualTo(2);
    assertThat(text()).contains("line 5: label 'x': threshold: 2.0 is outside [-1, 1]");
  }

  private int demo(Path input, Path output, EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    return demo(input, null, output, broker, test);
  }

  private int demo(Path input, Path labels, Path output, EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Map<String, Object> flags = new HashMap<>();
    flags.put("bootstrap.servers", broker.bootstrapServers());
    flags.put("sieve.topic.events", TopicNames.unique(test, "events"));
    flags.put("sieve.topic.embeddings", TopicNames.unique(test, "embeddings"));
    flags.put("sieve.topic.dlq", TopicNames.unique(test, "dlq"));
    flags.put("sieve.topic.categories", TopicNames.unique(test, "categories"));
    flags.put("sieve.topic.moderation", TopicNames.unique(test, "moderation"));
    flags.put("sieve.topic.duplicates", TopicNames.unique(test, "duplicates"));
    flags.put("sieve.topic.labels", TopicNames.unique(test, "labels"));
    flags.put("sieve.topic.centroids", TopicNames.unique(test, "centroids"));
    flags.put("sieve.registry.url", "mem://" + TopicNames.unique(test, "registry"));
    var options = new DemoRun.Options(input, output, labels, Duration.ofSeconds(120), new ConfigSources().flags(flags));
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    return new DemoRun(options, print, print).run();
  }

  private String text() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Map<String, List<JsonNode>> readOutput(Path output) throws Exception {
    return Files.readAllLines(output).stream().map(DemoRunTest::parse)
        .collect(Collectors.groupingBy(line -> line.get("key").asText()));
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("output line is not JSON: " + line, e);
    }
  }

  private static JsonNode value(Map<String, List<JsonNode>> byKey, String id) {
    return byKey.get(id).get(0).get("value");
  }

  private static JsonNode value(Map<String, List<JsonNode>> byKey, String id, String role) {
    return byKey.get(id).stream().filter(r -> role(r).equals(role)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + role + " record for " + id)).get("value");
  }

  private static List<String> roles(List<JsonNode> results) {
    return results.stream().map(DemoRunTest::role).sorted().toList();
  }

  /** The role of a result topic: the unique names are "role-test-n". */
  private static String role(JsonNode result) {
    return result.get("topic").asText().split("-")[0];
  }

  private static String category(Map<String, List<JsonNode>> byKey, String id) {
    return value(byKey, id, "categories").get("label").asText();
  }

  /** "NEAR tech-1": the kind of duplicate and the original, or "NONE". */
  private static String duplicate(Map<String, List<JsonNode>> byKey, String id) {
    JsonNode flag = value(byKey, id, "duplicates");
    return flag.get("isDuplicate").asBoolean()
        ? flag.get("kind").asText() + " " + flag.get("duplicateOf").asText()
        : flag.get("kind").asText();
  }

  /** "BLOCK threats spam": the verdict and the labels that fired, strongest first. */
  private static String verdict(Map<String, List<JsonNode>> byKey, String id) {
    JsonNode moderation = value(byKey, id, "moderation");
    StringBuilder text = new StringBuilder(moderation.get("verdict").asText());
    moderation.get("hits").forEach(hit -> text.append(' ').append(hit.get("label").asText()));
    return text.toString();
  }

  private static String reason(Map<String, List<JsonNode>> byKey, String id) {
    JsonNode value = value(byKey, id);
    return value.get("stage").asText() + "/" + value.get("reason").asText();
  }
}
