package dev.sieve.embed.stage;

import dev.sieve.topology.Outcome.Source;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Re-reads input records with a plain consumer that is assigned the record's partition and seeks
 * to its offset: no consumer group, no commits, {@code read_committed} like the stream threads.
 */
public final class KafkaSourceReader implements SourceReader {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaConsumer<byte[], byte[]> consumer;

  /** @param clientConfig how to reach the cluster (bootstrap servers, security settings) */
  public KafkaSourceReader(Map<String, Object> clientConfig) {
    this.consumer = new KafkaConsumer<>(consumerConfig(clientConfig), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /** The reader's consumer settings: every consumer setting of {@code clientConfig} (security included), no group. */
  public static Map<String, Object> consumerConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>();
    clientConfig.forEach((key, value) -> {
      if (ConsumerConfig.configNames().contains(key)) {
        config.put(key, value);
      }
    });
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "sieve-embed-source-reader");
    return config;
  }

  /** @throws org.apache.kafka.common.errors.TimeoutException when the cluster does not answer in 30 s */
  @Override
  public Optional<byte[]> value(Source source) {
    TopicPartition partition = new TopicPartition(source.topic(), source.partition());
    consumer.assign(List.of(partition));
    long first = consumer.beginningOffsets(List.of(partition), TIMEOUT).get(partition);
    if (source.offset() < first) {
      return Optional.empty();
    }
    consumer.seek(partition, source.offset());
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        if (record.offset() == source.offset()) {
          return Optional.ofNullable(record.value());
        }
        if (record.offset() > source.offset()) {
          return Optional.empty();
        }
      }
    }
    throw new org.apache.kafka.common.errors.TimeoutException(
        "could not re-read " + source + " within " + TIMEOUT.toSeconds() + " s");
  }

  @Override
  public void close() {
    consumer.close();
  }
}
