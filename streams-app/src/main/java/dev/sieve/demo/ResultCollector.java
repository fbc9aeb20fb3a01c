package dev.sieve.demo;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.topology.SieveTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads what Sieve wrote to its output topics, committed records only, starting from the end
 * offsets seen before the demo produced anything (so earlier runs on a shared cluster do not count).
 */
final class ResultCollector implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final SieveTopics topics;
  private final Deserializer<EmbeddedMedia> embeddings;
  private final List<DemoResult> results = new ArrayList<>();

  ResultCollector(String bootstrapServers, SieveTopics topics) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topics = topics;
    this.embeddings = topics.embeddings().valueSerde().deserializer();
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.embeddings().name(), topics.deadLetters().name())) {
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
    ends.forEach(consumer::seek);
  }

  /**
   * Polls until {@code expected} records arrived or {@code timeout} passed; reports the count
   * after every poll that brought something.
   *
   * @return true when all expected records arrived
   */
  boolean awaitResults(int expected, Duration timeout, IntConsumer progress) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (results.size() < expected && System.nanoTime() < deadline) {
      var records = consumer.poll(Duration.ofMillis(200));
      long now = System.nanoTime();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        results.add(toResult(record, now));
      }
      if (!records.isEmpty()) {
        progress.accept(results.size());
      }
    }
    return results.size() >= expected;
  }

  List<DemoResult> results() {
    return List.copyOf(results);
  }

  private DemoResult toResult(ConsumerRecord<byte[], byte[]> record, long receivedNanos) {
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (record.topic().equals(topics.embeddings().name())) {
      EmbeddedMedia value = embeddings.deserialize(record.topic(), record.headers(), record.value());
      return new DemoResult(record.topic(), key, value, null, receivedNanos);
    }
    return new DemoResult(record.topic(), key, null,
        DemoResult.DeadLetter.from(record.headers(), record.value()), receivedNanos);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
