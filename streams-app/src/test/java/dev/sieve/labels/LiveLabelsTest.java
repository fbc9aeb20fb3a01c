package dev.sieve.labels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.http.HttpSettings;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.service.SieveService;
import dev.sieve.testing.AxisEmbeddingProvider;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import dev.sieve.topology.SieveTopics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Label changes reach a running Sieve on a real broker, and a model change recompiles every label. */
@ExtendWith(SharedKafkaBroker.class)
class LiveLabelsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path stateDir;

  @Test
  void aChangedLabelClassifiesTheNextEventsWithoutARestart(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    SieveConfig config = config(broker, test);
    SieveTopics topics = SieveTopics.from(config);
    LabelAdmin admin = new LabelAdmin(config, Clock.systemUTC());
    try (SieveService service = new SieveService(config, new AxisEmbeddingProvider("m", 4))) {
      service.start();
      assertThat(service.awaitRunning(TIMEOUT)).isTrue();

      apply(admin, label("v:1,0"));
      await("first definition compiled", () -> compiled(service, label("v:1,0")));
      send(config, topics, "e1", "v:1,0");
      send(config, topics, "e2", "v:0,1");

      long changed = System.nanoTime();
      apply(admin, label("v:0,1"));
      await("changed definition compiled", () -> compiled(service, label("v:0,1")));
      Duration reached = Duration.ofNanos(System.nanoTime() - changed);
      send(config, topics, "e3", "v:1,0");
      send(config, topics, "e4", "v:0,1");

      Map<String, String> categories = categories(config, topics, 4);
      assertThat(categories).containsExactlyInAnyOrderEntriesOf(Map.of(
          "e1", "topic", "e2", "unknown", "e3", "unknown", "e4", "topic"));
      assertThat(reached).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void aRestartWithAnotherModelRecompilesEveryLabelForIt(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    SieveConfig config = config(broker, test);
    SieveTopics topics = SieveTopics.from(config);
    LabelAdmin admin = new LabelAdmin(config, Clock.systemUTC());
    AxisEmbeddingProvider before = new AxisEmbeddingProvider("before", 4);
    try (SieveService service = new SieveService(config, before)) {
      service.start();
      assertThat(service.awaitRunning(TIMEOUT)).isTrue();
      apply(admin, label("v:1,0"));
      await("compiled for the first model", () -> compiled(service, label("v:1,0")));
    }
    assertThat(admin.centroids().get("topic").getSpace()).isEqualTo(before.space());

    AxisEmbeddingProvider after = new AxisEmbeddingProvider("after", 4);
    try (SieveService service = new SieveService(config, after)) {
      service.start();
      assertThat(service.awaitRunning(TIMEOUT)).isTrue();
      await("recompiled for the new model", () -> compiled(service, label("v:1,0")));
      send(config, topics, "e1", "v:1,0");
      assertThat(categories(config, topics, 1)).containsEntry("e1", "topic");
    }
    LabelCentroids recompiled = admin.centroids().get("topic");
    assertThat(recompiled.getSpace()).isEqualTo(after.space());
    assertThat(admin.definitions()).hasSize(1);
  }

  private SieveConfig config(EmbeddedKafkaBroker broker, TestInfo test) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("application.id", TopicNames.unique(test, "app"));
    props.put("state.dir", stateDir.toString());
    props.put("commit.interval.ms", "100");
    // Streams members do not leave the group on close: let the restarted instance take over soon.
    props.put("session.timeout.ms", "6000");
    props.put(SieveConfig.REGISTRY_URL, "mem://" + TopicNames.unique(test, "registry"));
    props.put(SieveConfig.TOPICS_CREATE, true);
    props.put(HttpSettings.PORT, 0);
    props.put(SieveConfig.TOPICS_PARTITIONS, 1);
    props.put(SieveConfig.LABELS_CHECK_INTERVAL_MS, 300L);
    for (String topic : List.of(SieveConfig.TOPIC_EVENTS, SieveConfig.TOPIC_EMBEDDINGS, SieveConfig.TOPIC_DLQ,
        SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION, SieveConfig.TOPIC_DUPLICATES, SieveConfig.TOPIC_LABELS,
        SieveConfig.TOPIC_CENTROIDS)) {
      props.put(topic, TopicNames.unique(test, topic.substring("sieve.topic.".length())));
    }
    return new ConfigSources().defaults(props).toConfig();
  }

  private static LabelDefinition label(String example) {
    return LabelDefinition.newBuilder().setId("topic").setKind(LabelKind.CATEGORY).setThreshold(0.9f)
        .setExamples(List.of(MediaPart.newBuilder().setText(example).build())).setNegativeExamples(List.of()).build();
  }

  private static void apply(LabelAdmin admin, LabelDefinition label) {
    admin.apply(LabelChange.plan(List.of(label), admin.definitions()), "test");
  }

  /** This instance classifies with {@code label}, compiled for its own model. */
  private static boolean compiled(SieveService service, LabelDefinition label) {
    ModelSpace space = service.labels().compiler().provider().space();
    return service.labels().catalog().centroids(label.getId())
        .filter(c -> c.getDefinitionHash().equals(DefinitionHash.of(label)) && c.getSpace().equals(space))
        .isPresent();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + TIMEOUT + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  private static void send(SieveConfig config, SieveTopics topics, String id, String text) throws Exception {
    MediaEvent event = MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.EPOCH).setSource("test")
        .setParts(List.of(MediaPart.newBuilder().setText(text).build())).setAttributes(Map.of()).build();
    byte[] value = topics.avro().valueSerde(MediaEvent.class).serializer().serialize(topics.events().name(), event);
    try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", config.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.events().name(), id, value)).get();
    }
  }

  /** Event id → category label, read committed until {@code expected} results arrived. */
  private static Map<String, String> categories(SieveConfig config, SieveTopics topics, int expected) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", config.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var values = topics.categories().valueSerde().deserializer();
    Map<String, String> categories = new HashMap<>();
    try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      var partition = new TopicPartition(topics.categories().name(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (categories.size() < expected) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("only " + categories + " within " + TIMEOUT);
        }
        for (var record : consumer.poll(Duration.ofMillis(100))) {
          CategoryResult result = values.deserialize(record.topic(), record.value());
          categories.put(record.key(), result.getLabel());
        }
      }
    }
    return categories;
  }

}
