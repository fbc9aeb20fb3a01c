package dev.sieve.connect.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.connect.worker.ConnectWorker;
import dev.sieve.connect.worker.Topics;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.serde.SpecificAvroDeserializer;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The media source in a standalone worker: files in, MediaEvents and problem reports out. */
@ExtendWith(SharedKafkaBroker.class)
class MediaSourceConnectorTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3};

  @TempDir(factory = BuildDirTempDirFactory.class)
  static Path workerDir;

  private static ConnectWorker worker;

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

  private String connector;

  @AfterEach
  void deleteConnector() throws Exception {
    if (connector != null) {
      worker.delete(connector);
    }
  }

  @Test
  void emitsOneEventPerFileWithItsSidecarsInlineOrByUri(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Files.write(dir.resolve("photo.png"), PNG);
    Files.writeString(dir.resolve("photo.txt"), "A red bicycle");
    Files.writeString(dir.resolve("photo.json"), "{\"author\": \"ann\", \"tags\": [\"a\"]}");
    Files.createDirectories(dir.resolve("notes"));
    Files.writeString(dir.resolve("notes/hello world.md"), "# Hello");
    byte[] pdf = ("%PDF-1.4\n" + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
    Files.write(dir.resolve("notes/big.pdf"), pdf);
    Files.writeString(dir.resolve("draft.jpg.part"), "not finished");
    Source source = start(broker, test, Map.of("inline.max.bytes", "100", "uri.prefix", "https://media.example/m/"));

    Map<String, MediaEvent> events = source.events(3);

    assertThat(events).containsOnlyKeys("photo.png", "notes/hello world.md", "notes/big.pdf");
    MediaEvent photo = events.get("photo.png");
    assertThat(photo.getId()).isEqualTo(expectedId("photo.png", PNG,
        Map.of("json", Files.readAllBytes(dir.resolve("photo.json")), "txt", "A red bicycle".getBytes(StandardCharsets.UTF_8))));
    assertThat(photo.getParts()).containsExactly(
        MediaPart.newBuilder().setData(ByteBuffer.wrap(PNG)).setMimeType("image/png").build(),
        MediaPart.newBuilder().setText("A red bicycle").build());
    assertThat(photo.getAttributes()).containsEntry("author", "ann").containsEntry("tags", "[\"a\"]")
        .containsEntry("file.path", "photo.png").containsEntry("file.name", "photo.png");
    assertThat(photo.getSource()).isEqualTo("media-source-connector");
    assertThat(photo.getScope()).isNull();
    assertThat(events.get("notes/hello world.md").getParts()).containsExactly(
        MediaPart.newBuilder().setText("# Hello").setMimeType("text/markdown").build());
    assertThat(events.get("notes/big.pdf").getParts()).containsExactly(
        MediaPart.newBuilder().setUri("https://media.example/m/notes/big.pdf").setMimeType("application/pdf").build());
    assertThat(events.get("notes/big.pdf").getId()).isEqualTo(expectedId("notes/big.pdf", pdf, Map.of()));
  }

  @Test
  void aFileStillBeingWrittenIsEmittedOnceWhenComplete(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Source source = start(broker, test, Map.of("stable.ms", "600"));
    Path growing = dir.resolve("growing.txt");
    StringBuilder written = new StringBuilder();
    try (OutputStream out = Files.newOutputStream(growing, StandardOpenOption.CREATE_NEW)) {
      for (int i = 0; i < 8; i++) {
        String chunk = "line " + i + "\n";
        out.write(chunk.getBytes(StandardCharsets.UTF_8));
        out.flush();
        written.append(chunk);
        Thread.sleep(150);
      }
    }
    Files.writeString(dir.resolve("marker.txt"), "written after the first file was complete");

    Map<String, MediaEvent> events = source.events(2);

    assertThat(events).containsOnlyKeys("growing.txt", "marker.txt");
    assertThat(events.get("growing.txt").getParts().get(0).getText()).isEqualTo(written.toString());
  }

  @Test
  void problemsAreReportedAndTheTaskCarriesOn(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    Files.createSymbolicLink(dir.resolve("sub/loop"), dir);
    Files.createSymbolicLink(dir.resolve("gone.txt"), dir.resolve("missing.txt"));
    Files.write(dir.resolve("bad.png"), PNG);
    Files.writeString(dir.resolve("bad.json"), "[1, 2]");
    Files.writeString(dir.resolve("first.txt"), "emitted, then deleted");
    Source source = start(broker, test, Map.of());
    source.events(1);

    Files.delete(dir.resolve("first.txt"));
    Files.writeString(dir.resolve("second.txt"), "emitted after the problems");
    Map<String, MediaEvent> events = source.events(2);

    assertThat(events).containsOnlyKeys("first.txt", "second.txt");
    Map<String, JsonNode> problems = source.problems(4);
    assertThat(problems.keySet()).containsExactlyInAnyOrder(
        dir.resolve("sub/loop").toString(), dir.resolve("gone.txt").toString(),
        dir.resolve("bad.json").toString(), dir.resolve("first.txt").toString());
    assertThat(problems.get(dir.resolve("sub/loop").toString()).get("reason").asText()).isEqualTo("symlink-loop");
    assertThat(problems.get(dir.resolve("gone.txt").toString()).get("reason").asText()).isEqualTo("vanished");
    assertThat(problems.get(dir.resolve("bad.json").toString()).get("reason").asText()).isEqualTo("invalid-sidecar");
    assertThat(problems.get(dir.resolve("bad.json").toString()).get("message").asText())
        .isEqualTo("must be a JSON object of attributes");
    assertThat(problems.get(dir.resolve("first.txt").toString()).get("reason").asText()).isEqualTo("deleted");
    assertThat(worker.running(source.name())).isTrue();
  }

  /** The documented event id: SHA-256 over relative path, content hash and sidecars, 32 hex digits. */
  static String expectedId(String relativePath, byte[] content, Map<String, byte[]> sidecars) throws Exception {
    MessageDigest id = MessageDigest.getInstance("SHA-256");
    id.update(relativePath.getBytes(StandardCharsets.UTF_8));
    id.update((byte) 0);
    id.update(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).getBytes(StandardCharsets.US_ASCII));
    for (String extension : sidecars.keySet().stream().sorted().toList()) {
      id.update((byte) 0);
      id.update(extension.getBytes(StandardCharsets.UTF_8));
      id.update((byte) 0);
      id.update(MessageDigest.getInstance("SHA-256").digest(sidecars.get(extension)));
    }
    return HexFormat.of().formatHex(Arrays.copyOf(id.digest(), 16));
  }

  private Source start(EmbeddedKafkaBroker broker, TestInfo test, Map<String, String> overrides) throws Exception {
    Source source = new Source(broker, TopicNames.unique(test, "media"), TopicNames.unique(test, "events"),
        TopicNames.unique(test, "problems"), "mem://" + TopicNames.unique(test, "registry"));
    Topics.create(broker, source.topic, source.problemsTopic);
    Map<String, String> config = new HashMap<>(Map.of(
        "connector.class", MediaSourceConnector.class.getName(),
        "directories", dir.toString(),
        "topic", source.topic,
        "problems.topic", source.problemsTopic,
        "schema.registry.url", source.registry,
        "poll.interval.ms", "100",
        "stable.ms", "200"));
    config.putAll(overrides);
    connector = source.name;
    worker.start(source.name, config);
    return source;
  }

  /** One connector of a test and its topics. */
  private record Source(EmbeddedKafkaBroker broker, String name, String topic, String problemsTopic, String registry) {

    /** Events by their relative path, read until {@code expected} arrived; fails on two of one file. */
    Map<String, MediaEvent> events(int expected) {
      SpecificAvroDeserializer<MediaEvent> decoder = Topics.decoder(registry);
      List<ConsumerRecord<String, byte[]>> records = Topics.read(broker, topic, expected);
      records.forEach(r -> assertThat(r.key()).isEqualTo(decoder.deserialize(topic, r.value()).getId()));
      return records.stream().map(r -> decoder.deserialize(topic, r.value()))
          .collect(Collectors.toMap(e -> e.getAttributes().get("file.path"), Function.identity()));
    }

    /** Problem reports by file; fails if one file is reported twice. */
    Map<String, JsonNode> problems(int expected) {
      return Topics.read(broker, problemsTopic, expected).stream().map(r -> Topics.json(r.value()))
          .collect(Collectors.toMap(p -> p.get("file").asText(), Function.identity()));
    }
  }
}
