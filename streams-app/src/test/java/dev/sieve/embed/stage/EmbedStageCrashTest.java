package dev.sieve.embed.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.MediaEvent;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.http.HttpSettings;
import dev.sieve.embed.Parts;
import dev.sieve.embed.ProgrammableProvider;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.service.SieveService;
import dev.sieve.service.SieveService;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import dev.sieve.topology.SieveTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through a crash, on a real broker: the first instance dies in the middle (its
 * provider fails unexpectedly, the stream thread dies, tasks are closed dirty and the open
 * transaction is aborted) with many records taken but unanswered; a second instance restores the
 * pending store from its changelog, re-reads the values stored by reference from the input topic,
 * and finishes. A {@code read_committed} consumer then sees exactly one output per input.
 */
@ExtendWith(SharedKafkaBroker.class)
class EmbedStageCrashTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int EVENTS = 300;

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path stateDir;

  @Test
  void everyInputHasExactlyOneCommittedOutputAfterACrashInTheMiddle(EmbeddedKafkaBroker broker, TestInfo test)
      throws Exception {
    SieveConfig config = config(broker, test);
    SieveTopics topics = SieveTopics.from(config);
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, TIMEOUT).provision(SieveService.topicSpecs(config));
    }
    produceEvents(broker, topics);

    ProgrammableProvider failing = new ProgrammableProvider(100).withLatency(Duration.ofMillis(20));
    CountDownLatch crash = new CountDownLatch(1);
    failing.breakAfter(20, crash);
    try (SieveService first = new SieveService(config, failing)) {
      first.start();
      // The provider fails only once some answers are committed: the crash comes in the middle.
      CommittedRecords.read(broker, topics.embeddings().name(), 1, TIMEOUT);
      crash.countDown();
      awaitState(first, KafkaStreams.State.ERROR);
    }
    int answeredBeforeCrash = CommittedRecords.read(broker, topics.embeddings().name(), 0, TIMEOUT).size();
    assertThat(answeredBeforeCrash).isBetween(1, EVENTS - 1);

    ProgrammableProvider healthy = new ProgrammableProvider(100);
    try (SieveService second = new SieveService(config, healthy)) {
      second.start();
      List<ConsumerRecord<String, String>> outputs =
          CommittedRecords.read(broker, topics.embeddings().name(), EVENTS, TIMEOUT);

      Map<String, Long> perId = outputs.stream()
          .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
      assertThat(perId.keySet()).isEqualTo(ids());
      assertThat(perId.values()).containsOnly(1L);
      assertThat(outputs).hasSize(EVENTS);
      assertThat(CommittedRecords.read(broker, topics.deadLetters().name(), 0, TIMEOUT)).isEmpty();
      assertThat(healthy.textsSent()).hasSizeBetween(EVENTS - answeredBeforeCrash, EVENTS - 1);
    }
  }

  private SieveConfig config(EmbeddedKafkaBroker broker, TestInfo test) {
    Map<String, Object> props = new HashMap<>(broker.clientConfig());
    props.put("application.id", TopicNames.unique(test, "app"));
    props.put("state.dir", stateDir.toString());
    props.put(HttpSettings.PORT, 0);
    props.put("commit.interval.ms", 100);
    // The crashed instance does not leave the group: let the broker expire it soon.
    props.put("session.timeout.ms", 6_000);
    props.put("heartbeat.interval.ms", 1_000);
    props.put(SieveConfig.REGISTRY_URL, "mem://crash-" + UUID.randomUUID());
    props.put(SieveConfig.TOPIC_EVENTS, TopicNames.unique(test, "events"));
    props.put(SieveConfig.TOPIC_EMBEDDINGS, TopicNames.unique(test, "embeddings"));
    props.put(SieveConfig.TOPIC_DLQ, TopicNames.unique(test, "dlq"));
    // The whole topology runs, so every topic it reads or writes is this test's own.
    for (String topic : List.of(SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION,
        SieveConfig.TOPIC_DUPLICATES, SieveConfig.TOPIC_LABELS, SieveConfig.TOPIC_CENTROIDS)) {
      props.put(topic, TopicNames.unique(test, topic.substring(topic.lastIndexOf('.') + 1)));
    }
    props.put(SieveConfig.TOPICS_PARTITIONS, 2);
    props.put(SieveConfig.EMBED_BATCH_SIZE, 4);
    props.put(SieveConfig.EMBED_BATCH_LINGER_MS, 5);
    props.put(SieveConfig.EMBED_MAX_IN_FLIGHT, 2);
    // Every value by reference: the restart must re-read them from the input topic.
    props.put(SieveConfig.EMBED_INLINE_MAX_BYTES, 0);
    props.put(SieveConfig.EMBED_RETRY_BACKOFF_MS, 10);
    return new ConfigSources().defaults(props).toConfig();
  }

  private static void produceEvents(EmbeddedKafkaBroker broker, SieveTopics topics) throws Exception {
    var serializer = topics.avro().valueSerde(MediaEvent.class).serializer();
    Map<String, Object> config = new HashMap<>(broker.clientConfig());
    // An idempotent producer can wedge on a topic created a moment ago (KAFKA-15591) and then
    // drop records after its delivery timeout; the input needs no idempotence, only every record.
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (String id : ids()) {
        MediaEvent event = MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.now()).setSource("test")
            .setParts(List.of(Parts.text("text of " + id))).setAttributes(Map.of()).build();
        sent.add(producer.send(new ProducerRecord<>(topics.events().name(), id.getBytes(),
            serializer.serialize(topics.events().name(), event))));
      }
      for (Future<RecordMetadata> future : sent) {
        future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  private static Set<String> ids() {
    return IntStream.range(0, EVENTS).mapToObj(i -> "id-" + i).collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private static void awaitState(SieveService service, KafkaStreams.State state) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (service.state() != state) {
      assertThat(System.nanoTime()).as("state %s within %s", state, TIMEOUT).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
