package dev.sieve.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.deadletter.DeadLetterHeaders;
import dev.sieve.embed.gemini.GeminiEmulator;
import dev.sieve.embed.gemini.GeminiSettings;
import dev.sieve.embed.resolve.FetchPolicy;
import dev.sieve.http.HttpSettings;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.service.SieveService;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import dev.sieve.topology.SieveTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile-input corpus through the real topology on the shared broker: every case of {@code
 * hostile/cases.json} sent to a running {@link SieveService} of its deployment ends where the
 * manifest says (one dead letter with that stage and reason, or its results), nothing else is
 * produced under its key, and afterwards the service is still RUNNING and processes a good event.
 */
@ExtendWith(SharedKafkaBroker.class)
class HostileInputTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  /** Labels are compiled one by one on the stream thread: ~65/s on a 2-core machine under load 20. */
  private static final Duration FLOOD_TIMEOUT = Duration.ofMinutes(5);
  private static final String API_KEY = "hostile-test-key";
  /** Room for the 50 MiB case on the input topic, so that Sieve itself has to judge it. */
  private static final int INPUT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path stateDir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "gemini", "gemini-open"})
  void everyCaseEndsWhereTheManifestSaysAndTheServiceKeepsRunning(String deployment, EmbeddedKafkaBroker broker,
      TestInfo test) throws Exception {
    List<HostileCase> cases = HostileCase.load().stream().filter(c -> c.service().equals(deployment)).toList();
    try (GeminiEmulator emulator = new GeminiEmulator(API_KEY); TrapServer trap = new TrapServer()) {
      SieveConfig config = config(deployment, broker, test, emulator);
      SieveTopics topics = SieveTopics.from(config);
      createInputTopic(broker, config);
      try (SieveService service = new SieveService(config);
          var producer = new KafkaProducer<>(producerConfig(broker), new StringSerializer(), new ByteArraySerializer())) {
        service.start();
        assertThat(service.awaitRunning(TIMEOUT)).isTrue();

        Sender sender = new Sender(producer, topics, trap.port());
        for (HostileCase hostile : cases) {
          sender.send(hostile);
        }
        for (HostileCase hostile : cases) {
          if (hostile.labelsCompiled() > 0) {
            await(hostile.name(), FLOOD_TIMEOUT, () -> compiledFlood(service, hostile.labelsCompiled()));
          }
        }
        sender.send(goodEvent("good-after-" + deployment));

        int dlqExpected = (int) cases.stream().filter(c -> c.dlq() != null).count();
        int resultsExpected = cases.stream().mapToInt(HostileCase::results).sum() + 1;
        Map<String, Long> categories = countByKey(broker, topics.categories().name(), resultsExpected);
        Map<String, Long> moderation = countByKey(broker, topics.moderation().name(), resultsExpected);
        Map<String, List<String>> deadLetters = deadLetters(broker, topics, dlqExpected);

        for (HostileCase hostile : cases) {
          assertThat(deadLetters.getOrDefault(hostile.name(), List.of()))
              .as("dead letters of %s", hostile.name())
              .isEqualTo(hostile.dlq() == null ? List.of() : List.of(hostile.dlq()));
          assertThat(categories.getOrDefault(hostile.resultKey(), 0L)).as("categories of %s", hostile.name())
              .isEqualTo(hostile.results());
          assertThat(moderation.getOrDefault(hostile.resultKey(), 0L)).as("moderation of %s", hostile.name())
              .isEqualTo(hostile.results());
          assertThat(sender.refusals.get(hostile.name())).as("refusal of %s", hostile.name())
              .isEqualTo(hostile.refused());
        }
        assertThat(categories).containsEntry("good-after-" + deployment, 1L);
        assertThat(service.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(trap.hits("/secret")).as("requests that reached a forbidden address").isZero();
      }
    }
  }

  /** Sends the records a case describes, remembering which the broker refused. */
  private static final class Sender {
    private final KafkaProducer<String, byte[]> producer;
    private final SieveTopics topics;
    private final int trapPort;
    private final Map<String, String> refusals = new HashMap<>();

    Sender(KafkaProducer<String, byte[]> producer, SieveTopics topics, int trapPort) {
      this.producer = producer;
      this.topics = topics;
      this.trapPort = trapPort;
    }

    void send(HostileCase hostile) throws InterruptedException {
      JsonNode input = hostile.input();
      Long timestamp = input.has("timestamp") ? input.get("timestamp").asLong() : null;
      String events = topics.events().name();
      if (input.has("labelFlood")) {
        for (int i = 0; i < input.get("labelFlood").get("count").asInt(); i++) {
          LabelDefinition label = label("flood-" + i, LabelKind.CATEGORY, 0.99f, null, null);
          producer.send(new ProducerRecord<>(topics.labels().name(), label.getId(), labelBytes(label)));
        }
        producer.flush();
      } else if (input.has("label")) {
        JsonNode spec = input.get("label");
        LabelDefinition label = label(hostile.name(), LabelKind.valueOf(spec.get("kind").asText()),
            floatOrNull(spec, "threshold"), floatOrNull(spec, "review"), floatOrNull(spec, "block"));
        send(hostile, topics.labels().name(), hostile.name(), labelBytes(label), null);
      } else if (input.has("tombstone")) {
        send(hostile, events, hostile.name(), null, timestamp);
      } else if (input.has("raw")) {
        send(hostile, events, hostile.name(), HostileBytes.from(input.get("raw")), timestamp);
      } else if (input.has("writtenAs")) {
        LabelDefinition label = label("not-an-event", LabelKind.CATEGORY, 0.5f, null, null);
        send(hostile, events, hostile.name(), labelBytes(label), timestamp);
      } else {
        int copies = input.path("repeat").asInt(1);
        for (int copy = 0; copy < copies; copy++) {
          MediaEvent event = event(hostile.name(), input.get("event"), copy, trapPort);
          byte[] value = topics.avro().valueSerde(MediaEvent.class).serializer().serialize(events, event);
          send(hostile, events, hostile.name(), rewire(value, input.path("wire")), timestamp);
        }
      }
    }

    void send(MediaEvent event) throws InterruptedException {
      byte[] value = topics.avro().valueSerde(MediaEvent.class).serializer().serialize(topics.events().name(), event);
      send(null, topics.events().name(), event.getId(), value, null);
    }

    private void send(HostileCase hostile, String topic, String key, byte[] value, Long timestamp)
        throws InterruptedException {
      try {
        producer.send(new ProducerRecord<>(topic, null, timestamp, key, value)).get();
      } catch (ExecutionException e) {
        if (hostile == null) {
          throw new AssertionError("a good record was refused", e.getCause());
        }
        refusals.put(hostile.name(), e.getCause().getClass().getSimpleName());
      }
    }

    private byte[] labelBytes(LabelDefinition label) {
      return topics.avro().valueSerde(LabelDefinition.class).serializer().serialize(topics.labels().name(), label);
    }
  }

  /** The event a case describes; copy numbers make repeated copies differ in their first text. */
  private static MediaEvent event(String name, JsonNode spec, int copy, int trapPort) {
    List<MediaPart> parts = new ArrayList<>();
    if (spec.has("repeatPart")) {
      JsonNode repeat = spec.get("repeatPart");
      for (int i = 0; i < repeat.get("count").asInt(); i++) {
        parts.add(part(repeat.get("part"), trapPort));
      }
    } else {
      spec.get("parts").forEach(part -> parts.add(part(part, trapPort)));
    }
    if (copy > 0) {
      MediaPart first = parts.get(0);
      parts.set(0, MediaPart.newBuilder(first).setText(first.getText() + " (copy " + copy + ")").build());
    }
    return MediaEvent.newBuilder()
        .setId(spec.has("id") ? text(spec.get("id")) : name)
        .setOccurredAt(spec.has("occurredAt") ? Instant.ofEpochMilli(spec.get("occurredAt").asLong()) : Instant.now())
        .setSource("hostile-corpus")
        .setParts(parts)
        .setAttributes(Map.of())
        .build();
  }

  private static MediaPart part(JsonNode spec, int trapPort) {
    MediaPart.Builder part = MediaPart.newBuilder();
    if (spec.has("text")) {
      part.setText(text(spec.get("text")));
    }
    if (spec.has("data")) {
      part.setData(ByteBuffer.wrap(HostileBytes.from(spec.get("data"))));
    }
    if (spec.has("uri")) {
      part.setUri(spec.get("uri").asText().replace("{trap}", Integer.toString(trapPort)));
    }
    if (spec.has("mimeType")) {
      part.setMimeType(spec.get("mimeType").asText());
    }
    return part.build();
  }

  /** A literal, or {@code {"repeat": s, "count": n}}. */
  private static String text(JsonNode spec) {
    return spec.isTextual() ? spec.asText() : spec.get("repeat").asText().repeat(spec.get("count").asInt());
  }

  /** Applies wire-level damage to an encoded record: truncation, magic byte, schema id, raw UTF-8. */
  private static byte[] rewire(byte[] value, JsonNode wire) {
    byte[] bytes = value.clone();
    if (wire.has("magic")) {
      bytes[0] = (byte) wire.get("magic").asInt();
    }
    if (wire.has("schemaId")) {
      ByteBuffer.wrap(bytes).putInt(1, wire.get("schemaId").asInt());
    }
    if (wire.has("replaceUtf8")) {
      byte[] marker = wire.get("replaceUtf8").asText().getBytes(StandardCharsets.UTF_8);
      byte[] replacement = HexFormat.of().parseHex(wire.get("withHex").asText());
      int at = indexOf(bytes, marker);
      System.arraycopy(replacement, 0, bytes, at, marker.length);
    }
    if (wire.has("keepBytes")) {
      bytes = java.util.Arrays.copyOf(bytes, wire.get("keepBytes").asInt());
    }
    return bytes;
  }

  private static int indexOf(byte[] bytes, byte[] marker) {
    outer:
    for (int i = 0; i + marker.length <= bytes.length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (bytes[i + j] != marker[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("marker not in the encoded record");
  }

  private static Float floatOrNull(JsonNode spec, String field) {
    return spec.has(field) ? (float) spec.get(field).asDouble() : null;
  }

  private static LabelDefinition label(String id, LabelKind kind, Float threshold, Float review, Float block) {
    return LabelDefinition.newBuilder().setId(id).setKind(kind).setDescription("label " + id)
        .setThreshold(threshold).setReviewThreshold(review).setBlockThreshold(block)
        .setExamples(List.of()).setNegativeExamples(List.of()).build();
  }

  private static MediaEvent goodEvent(String id) {
    return MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.now()).setSource("hostile-corpus")
        .setParts(List.of(MediaPart.newBuilder().setText("a perfectly ordinary caption").build()))
        .setAttributes(Map.of()).build();
  }

  private static boolean compiledFlood(SieveService service, int count) {
    for (int i = 0; i < count; i++) {
      if (service.labels().catalog().centroids("flood-" + i).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Dead letters by record key, each as {@code stage/reason}. */
  private static Map<String, List<String>> deadLetters(EmbeddedKafkaBroker broker, SieveTopics topics, int expected) {
    return read(broker, topics.deadLetters().name(), expected).stream().collect(Collectors.groupingBy(r -> String.valueOf(r.key()), Collectors.mapping(
        r -> DeadLetterHeaders.text(r.headers(), DeadLetterHeaders.STAGE) + "/"
            + DeadLetterHeaders.text(r.headers(), DeadLetterHeaders.REASON), Collectors.toList())));
  }

  private static Map<String, Long> countByKey(EmbeddedKafkaBroker broker, String topic, int expected) {
    return read(broker, topic, expected).stream()
        .collect(Collectors.groupingBy(r -> String.valueOf(r.key()), Collectors.counting()));
  }

  /**
   * What transactions committed to {@code topic}: until {@code expected} records arrived and the
   * topic is read to its end, or the time is up (then the per-case assertions name what is missing).
   */
  private static List<ConsumerRecord<String, byte[]>> read(EmbeddedKafkaBroker broker, String topic, int expected) {
    try {
      return CommittedRecords.read(broker, topic, expected, Duration.ofSeconds(30), new ByteArrayDeserializer());
    } catch (AssertionError tooFew) {
      return CommittedRecords.read(broker, topic, 0, TIMEOUT, new ByteArrayDeserializer());
    }
  }

  private SieveConfig config(String deployment, EmbeddedKafkaBroker broker, TestInfo test, GeminiEmulator emulator) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("application.id", TopicNames.unique(test, "app"));
    props.put("state.dir", stateDir.toString());
    props.put("commit.interval.ms", "100");
    props.put(SieveConfig.REGISTRY_URL, "mem://" + TopicNames.unique(test, "registry"));
    props.put(SieveConfig.TOPICS_CREATE, true);
    props.put(HttpSettings.PORT, "0"); // several services run at once in a test JVM
    props.put(SieveConfig.TOPICS_PARTITIONS, 1);
    props.put(SieveConfig.EVENT_MAX_TEXT_CHARS, 100_000);
    for (String topic : List.of(SieveConfig.TOPIC_EVENTS, SieveConfig.TOPIC_EMBEDDINGS, SieveConfig.TOPIC_DLQ,
        SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION, SieveConfig.TOPIC_DUPLICATES,
        SieveConfig.TOPIC_LABELS, SieveConfig.TOPIC_CENTROIDS)) {
      props.put(topic, TopicNames.unique(test, topic.substring("sieve.topic.".length())));
    }
    if (!deployment.equals("local")) {
      props.put(SieveConfig.EMBED_PROVIDER, "gemini");
      props.put(GeminiSettings.BASE_URL, emulator.baseUrl());
      props.put(GeminiSettings.API_KEY, API_KEY);
      props.put(FetchPolicy.TIMEOUT_MS, 1500);
      // The flood of labels is compiled one request each: no client-side quota in this test.
      props.put(GeminiSettings.REQUESTS_PER_MINUTE, 0);
    }
    if (deployment.equals("gemini")) {
      props.put(FetchPolicy.ALLOWED_HOSTS, "127.0.0.1,localhost,[::1],169.254.169.254,10.0.0.7");
    }
    if (deployment.equals("gemini-open")) {
      props.put(FetchPolicy.ALLOWED_HOSTS, "localhost");
      props.put(FetchPolicy.ALLOW_PRIVATE_ADDRESSES, true);
      props.put(FetchPolicy.MAX_BYTES, 1024 * 1024);
    }
    return new ConfigSources().defaults(props).toConfig();
  }

  /** The input topic takes records up to 64 MiB, as an operator might have set it. */
  private static void createInputTopic(EmbeddedKafkaBroker broker, SieveConfig config) {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, TIMEOUT).provision(TopicSpec.of(config.getString(SieveConfig.TOPIC_EVENTS), 1)
          .withConfig("max.message.bytes", Integer.toString(INPUT_MAX_MESSAGE_BYTES))
          // A record batch must also fit one log segment.
          .withConfig("segment.bytes", Integer.toString(2 * INPUT_MAX_MESSAGE_BYTES)));
    }
  }

  private static Map<String, Object> producerConfig(EmbeddedKafkaBroker broker) {
    Map<String, Object> config = new HashMap<>(broker.clientConfig());
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, INPUT_MAX_MESSAGE_BYTES);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * INPUT_MAX_MESSAGE_BYTES);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return config;
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(50);
    }
  }
}
