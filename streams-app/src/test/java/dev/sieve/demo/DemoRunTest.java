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
    // 37 readable lines in the sample, each exactly one result; the 38th line is broken JSON.
    assertThat(byKey).hasSize(37).allSatisfy((key, results) -> assertThat(results).hasSize(1));
    assertThat(text()).contains("input line 38 skipped: not valid JSON");

    assertThat(reason(byKey, "bad-not-avro")).isEqualTo("decode/wrong-magic-byte");
    assertThat(reason(byKey, "bad-unknown-schema")).isEqualTo("decode/unknown-schema-id");
    assertThat(reason(byKey, "bad-no-parts")).isEqualTo("validate/no-parts");
    assertThat(reason(byKey, "bad-two-payloads")).isEqualTo("validate/part-with-several-payloads");
    assertThat(reason(byKey, "bad-empty-text")).isEqualTo("validate/empty-text");
    assertThat(reason(byKey, "bad-mime-type")).isEqualTo("validate/unsupported-mime-type");
    assertThat(reason(byKey, "image-only")).isEqualTo("embed/unsupported-modality-for-provider");
    assertThat(value(byKey, "bad-not-avro").get("originalValue").asText()).startsWith("{\"id\"");

    JsonNode essay = value(byKey, "long-essay");
    assertThat(essay.get("truncated").asBoolean()).isTrue();
    assertThat(essay.get("vector")).hasSize(384);
    assertThat(essay.get("space").get("provider").asText()).isEqualTo("local");
    assertThat(value(byKey, "sports-1").get("contentHash"))
        .isEqualTo(value(byKey, "sports-1-repost").get("contentHash"))
        .isNotEqualTo(value(byKey, "sports-2").get("contentHash"));
    assertThat(value(byKey, "report-pdf").get("truncated").asBoolean()).isFalse();

    assertThat(text()).containsPattern("embeddings-\\S+ +30\n").containsPattern("dlq-\\S+ +7\n")
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
    assertThat(byKey.get("u1").get(0).get("topic").asText()).startsWith("embeddings-");
    assertThat(reason(byKey, "u3")).isEqualTo("embed/unsupported-modality-for-provider");
    assertThat(text()).contains("input line 3 skipped");
  }

  @Test
  void withoutBootstrapServersItStartsItsOwnBroker() throws Exception {
    Path input = dir.resolve("one.jsonl");
    Files.writeString(input, "{\"id\":\"solo\",\"text\":\"one event on a broker of its own\"}\n");
    var options = new DemoRun.Options(input, null, Duration.ofSeconds(120), new ConfigSources());
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    int exit = new DemoRun(options, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

    assertThat(exit).isZero();
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("starting an embedded Kafka broker");
    assertThat(text()).contains("solo").containsPattern("media.embeddings +1\n");
  }

  private int demo(Path input, Path output, EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Map<String, Object> flags = new HashMap<>();
    flags.put("bootstrap.servers", broker.bootstrapServers());
    flags.put("sieve.topic.events", TopicNames.unique(test, "events"));
    flags.put("sieve.topic.embeddings", TopicNames.unique(test, "embeddings"));
    flags.put("sieve.topic.dlq", TopicNames.unique(test, "dlq"));
    flags.put("sieve.registry.url", "mem://" + TopicNames.unique(test, "registry"));
    var options = new DemoRun.Options(input, output, Duration.ofSeconds(120), new ConfigSources().flags(flags));
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

  private static String reason(Map<String, List<JsonNode>> byKey, String id) {
    JsonNode value = value(byKey, id);
    return value.get("stage").asText() + "/" + value.get("reason").asText();
  }
}
