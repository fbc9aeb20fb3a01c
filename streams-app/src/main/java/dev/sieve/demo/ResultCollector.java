package dev.sieve.demo;

import dev.sieve.topology.SieveTopics;
import dev.sieve.topology.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.IntConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads what Sieve wrote to its output topics, committed records only, starting from the end
 * offsets seen before the demo produced anything (so earlier runs on a shared cluster do not count).
 * An event is complete with its dead letter when it was rejected before embedding, or else with its
 * embedding, category and moderation records and its duplicate flag (or a de-duplication dead letter).
 */
final class ResultCollector implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final SieveTopics topics;
  private final Map<String, Deserializer<? extends SpecificRecord>> values = new HashMap<>();
  private final List<DemoResult> results = new ArrayList<>();
  private final Map<String, Set<String>> topicsByKey = new HashMap<>();

  ResultCollector(String bootstrapServers, SieveTopics topics) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topics = topics;
    for (Topic<String, ? extends SpecificRecord> topic : List.of(topics.embeddings(), topics.categories(), topics.moderation(),
        topics.duplicates())) {
      values.put(topic.name(), topic.valueSerde().deserializer());
    }
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.embeddings().name(), topics.categories().name(), topics.moderation().name(),
        topics.duplicates().name(), topics.deadLetters().name())) {
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
    ends.forEach(consumer::seek);
  }

  /**
   * Polls until every event of {@code ids} is complete or {@code timeout} passed; reports the
   * number of complete events after every poll that brought something.
   *
   * @return true when every event is complete
   */
  boolean awaitResults(List<String> ids, Duration timeout, IntConsumer progress) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (complete(ids) < ids.size() && System.nanoTime() < deadline) {
      var records = consumer.poll(Duration.ofMillis(200));
      long now = System.nanoTime();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        DemoResult result = toResult(record, now);
        results.add(result);
        topicsByKey.computeIfAbsent(result.key(), k -> new java.util.HashSet<>()).add(result.topic());
      }
      if (!records.isEmpty()) {
        progress.accept(complete(ids));
      }
    }
    return complete(ids) == ids.size();
  }

  private int complete(List<String> ids) {
    int complete = 0;
    for (String id : ids) {
      if (isComplete(topicsByKey.getOrDefault(id, Set.of()))) {
        complete++;
      }
    }
    return complete;
  }

  private boolean isComplete(Set<String> seen) {
    boolean deadLettered = seen.contains(topics.deadLetters().name());
    if (!seen.contains(topics.embeddings().name())) {
      return deadLettered;
    }
    return seen.contains(topics.categories().name()) && seen.contains(topics.moderation().name())
        && (seen.contains(topics.duplicates().name()) || deadLettered);
  }

  List<DemoResult> results() {
    return List.copyOf(results);
  }

  private DemoResult toResult(ConsumerRecord<byte[], byte[]> record, long receivedNanos) {
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    var deserializer = values.get(record.topic());
    if (deserializer != null) {
      return new DemoResult(record.topic(), key, deserializer.deserialize(record.topic(), record.headers(), record.value()),
          null, receivedNanos);
    }
    return new DemoResult(record.topic(), key, null,
        DemoResult.DeadLetter.from(record.headers(), record.value()), receivedNanos);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
