package dev.sieve.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.dedup.DedupSettings;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.deadletter.DeadLetterHeaders;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.stage.EmbedStage;
import dev.sieve.embed.stage.EmbedStageSettings;
import dev.sieve.embed.local.LocalEmbeddingProvider;
import dev.sieve.embed.local.LocalModelSettings;
import dev.sieve.labels.LabelEngine;
import dev.sieve.testing.DriverTopics;
import dev.sieve.validate.EventLimits;
import dev.sieve.validate.EventValidator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The topology's routing, with the real local model and the in-process registry. */
class SieveTopologyTest {

  private static EmbeddingProvider provider;

  private TopologyTestDriver driver;
  private EmbedStage stage;
  private SieveTopics topics;
  private Serializer<MediaEvent> eventSerializer;
  private TestInputTopic<byte[], byte[]> events;
  private TestOutputTopic<String, EmbeddedMedia> embeddings;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeAll
  static void loadModel() {
    provider = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS);
  }

  @AfterAll
  static void closeModel() {
    provider.close();
  }

  @BeforeEach
  void startDriver() {
    SieveConfig config = new ConfigSources().defaults(Map.of(
        "bootstrap.servers", "unused:9092",
        "application.id", "topology-test",
        SieveConfig.TOPICS_PARTITIONS, 1, // as TopologyTestDriver runs every topic (the dedup index checks)
        SieveConfig.REGISTRY_URL, "mem://topology-test-" + UUID.randomUUID())).toConfig();
    topics = SieveTopics.from(config);
    stage = new EmbedStage(provider, EmbedStageSettings.DEFAULTS.withLinger(Duration.ZERO),
        topics.eventDeserializer(), () -> {
          throw new AssertionError("nothing is restored in these tests");
        });
    driver = new TopologyTestDriver(
        SieveTopology.build(topics, new EventValidator(EventLimits.from(config)), stage,
            LabelEngine.from(config, provider), DedupSettings.from(config)),
        config.streamsProperties());
    eventSerializer = topics.avro().valueSerde(MediaEvent.class).serializer();
    events = DriverTopics.input(driver, topics.events());
    embeddings = DriverTopics.output(driver, topics.embeddings());
    deadLetters = DriverTopics.output(driver, topics.deadLetters());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
    stage.close();
  }

  @Test
  void aTextEventIsEmbeddedKeyedByItsId() {
    send("e1", event("e1", text("The striker scored twice in the derby.")));
    awaitOutputs(1);
    var out = embeddings.readRecord();
    assertThat(out.key()).isEqualTo("e1");
    EmbeddedMedia embedded = out.value();
    assertThat(embedded.getId()).isEqualTo("e1");
    assertThat(embedded.getSpace().getProvider()).isEqualTo("local");
    assertThat(embedded.getVector()).hasSize(embedded.getSpace().getDimensions());
    assertThat(embedded.getContentHash()).hasSize(64);
    assertThat(embedded.getTruncated()).isFalse();
    assertThat(embedded.getLexicalSignature()).containsExactly(java.util.Arrays.stream(
        dev.sieve.embed.LexicalSignature.of("The striker scored twice in the derby.")).boxed().toArray(Integer[]::new));
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void bytesThatAreNotAvroGoToTheDeadLetterTopicUnchanged() {
    byte[] json = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    var headers = new RecordHeaders().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
    events.pipeInput(new TestRecord<>("k1".getBytes(StandardCharsets.UTF_8), json, headers, Instant.EPOCH));
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("k1".getBytes(StandardCharsets.UTF_8));
    assertThat(dead.value()).isEqualTo(json);
    assertThat(header(dead, DeadLetterHeaders.STAGE)).isEqualTo("decode");
    assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("wrong-magic-byte");
    assertThat(header(dead, DeadLetterHeaders.MESSAGE)).contains("0x7b");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.events().name());
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(dead, "trace-id")).isEqualTo("abc");
  }

  @Test
  void anUnknownSchemaIdIsDeadLettered() {
    byte[] bytes = {0, 0, 0, 3, (byte) 0xE7, 2, 4, 'h', 'i'};
    events.pipeInput("k".getBytes(StandardCharsets.UTF_8), bytes);
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("unknown-schema-id");
    assertThat(header(dead, DeadLetterHeaders.MESSAGE)).contains("999");
    assertThat(dead.value()).isEqualTo(bytes);
  }

  @Test
  void aRecordOverTheByteLimitIsDeadLetteredWithoutItsValue() {
    byte[] value = new byte[1_000_001];
    var headers = new RecordHeaders().add("trace-id", "big".getBytes(StandardCharsets.UTF_8));
    events.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), value, headers, Instant.EPOCH));
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
    assertThat(dead.value()).isNull();
    assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("record-too-large");
    assertThat(header(dead, DeadLetterHeaders.MESSAGE)).startsWith(
        "record of 1000001 bytes exceeds sieve.event.max.bytes=1000000;");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(dead, "trace-id")).isEqualTo("big");
  }

  @Test
  void anEmptyRecordIsDeadLettered() {
    events.pipeInput("k".getBytes(StandardCharsets.UTF_8), (byte[]) null);
    assertThat(header(deadLetters.readRecord(), DeadLetterHeaders.REASON)).isEqualTo("empty-record");
  }

  @Test
  void structurallyInvalidEventsAreDeadLetteredWithTheValidationReason() {
    send("no-parts", event("no-parts"));
    send("two", event("two", MediaPart.newBuilder().setText("t").setUri("gs://b/o.png").setMimeType("image/png").build()));
    send("empty", event("empty", text("  ")));
    send("mime", event("mime", MediaPart.newBuilder().setData(ByteBuffer.wrap(new byte[] {1}))
        .setMimeType("application/x-msdownload").build()));
    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly("no-parts", "part-with-several-payloads", "empty-text", "unsupported-mime-type");
    assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.STAGE)).containsOnly("validate");
    assertThat(embeddings.isEmpty()).isTrue();
  }

  @Test
  void contentWithoutTextIsDeadLetteredForTheLocalProvider() {
    send("img", event("img", MediaPart.newBuilder().setData(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}))
        .setMimeType("image/png").build()));
    awaitOutputs(1);
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, DeadLetterHeaders.STAGE)).isEqualTo("embed");
    assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("unsupported-modality-for-provider");
  }

  @Test
  void textOverTheModelLimitIsTruncatedAndFlagged() {
    send("long", event("long", text("word ".repeat(2_000))));
    awaitOutputs(1);
    assertThat(embeddings.readValue().getTruncated()).isTrue();
  }

  @Test
  void badRecordsDoNotStopTheGoodOnesAroundThem() {
    send("a", event("a", text("first")));
    events.pipeInput("junk".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
    send("b", event("b"));
    send("c", event("c", text("third")));
    awaitOutputs(4);
    assertThat(embeddings.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a", "c");
    assertThat(deadLetters.readRecordsToList()).hasSize(2);
  }

  @Test
  void everyEmbeddedEventGetsADuplicateFlag() {
    var duplicates = DriverTopics.output(driver, topics.duplicates());
    String message = "Claim your free prize now by clicking the link before the offer expires tonight.";
    send("first", event("first", text(message)));
    send("copy", event("copy", text(message)));
    send("edited", event("edited", text(message + " -- Sent from my phone")));
    send("other", event("other", text("The central bank raised interest rates by a quarter point.")));
    awaitOutputs(4);

    var flags = duplicates.readKeyValuesToMap();
    assertThat(flags.get("first").getIsDuplicate()).isFalse();
    assertThat(flags.get("copy").getKind()).isEqualTo(dev.sieve.avro.DuplicateKind.EXACT);
    assertThat(flags.get("copy").getDuplicateOf()).isEqualTo("first");
    assertThat(flags.get("edited").getKind()).isEqualTo(dev.sieve.avro.DuplicateKind.NEAR);
    assertThat(flags.get("edited").getDuplicateOf()).isEqualTo("first");
    assertThat(flags.get("other").getIsDuplicate()).isFalse();
  }

  /** Fires the embed stage's punctuator until this many records are out (its results are asynchronous). */
  private void awaitOutputs(int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (embeddings.getQueueSize() + deadLetters.getQueueSize() < count) {
      assertThat(System.nanoTime()).as("%d outputs within 20 s", count).isLessThan(deadline);
      driver.advanceWallClockTime(Duration.ofMillis(10));
    }
  }

  private void send(String key, MediaEvent event) {
    events.pipeInput(key.getBytes(StandardCharsets.UTF_8), eventSerializer.serialize(topics.events().name(), event));
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    return DeadLetterHeaders.text(record.headers(), name);
  }

  private static MediaEvent event(String id, MediaPart... parts) {
    return MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.now()).setSource("test")
        .setParts(List.of(parts)).setAttributes(Map.of()).build();
  }

  private static MediaPart text(String text) {
    return MediaPart.newBuilder().setText(text).build();
  }
}
