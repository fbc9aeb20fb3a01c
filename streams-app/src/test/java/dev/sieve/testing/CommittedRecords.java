package dev.sieve.testing;

import dev.sieve.runtime.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads what transactions committed to a topic, the way an exactly-once downstream would. */
public final class CommittedRecords {

  private CommittedRecords() {}

  /**
   * Reads {@code topic} from the beginning with {@code isolation.level=read_committed} until at
   * least {@code expected} records have arrived and every partition is read to its end, so any
   * record beyond the expected ones is returned too.
   *
   * @throws AssertionError if that has not happened within {@code timeout}
   */
  public static List<ConsumerRecord<String, String>> read(
      EmbeddedKafkaBroker broker, String topic, int expected, Duration timeout) {
    return read(broker, topic, expected, timeout, new StringDeserializer());
  }

  /** As {@link #read(EmbeddedKafkaBroker, String, int, Duration)}, with values decoded by {@code values}. */
  public static <V> List<ConsumerRecord<String, V>> read(
      EmbeddedKafkaBroker broker, String topic, int expected, Duration timeout,
      org.apache.kafka.common.serialization.Deserializer<V> values) {
    Map<String, Object> config = new HashMap<>(broker.clientConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), values)) {
      // Assigned, not subscribed: no consumer group, so no rebalance to wait for.
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<String, V>> records = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < expected || !readToEnd(consumer, partitions)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "Read " + records.size() + " of " + expected + " records from " + topic + " in "
                  + timeout);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      return records;
    }
  }

  private static boolean readToEnd(
      KafkaConsumer<String, ?> consumer, List<TopicPartition> partitions) {
    // With read_committed, the end offset is the last stable offset.
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
  }
}
