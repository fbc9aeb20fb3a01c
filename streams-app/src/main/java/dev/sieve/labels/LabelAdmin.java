package dev.sieve.labels;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.config.SieveConfig;
import dev.sieve.topology.SieveTopics;
import dev.sieve.topology.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads and writes the labels topic for operators ({@code sieve labels ...}, the demo): the labels
 * now in force, their compiled centroids, and changes. Writes are idempotent: only labels whose
 * meaning changed ({@link DefinitionHash}) are written.
 */
public final class LabelAdmin {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final SieveConfig config;
  private final SieveTopics topics;
  private final Clock clock;

  public LabelAdmin(SieveConfig config, Clock clock) {
    this.config = config;
    this.topics = SieveTopics.from(config);
    this.clock = clock;
  }

  /** Every label on the labels topic (the latest record per id, tombstones applied). */
  public Map<String, LabelDefinition> definitions() {
    return readCompacted(topics.labels());
  }

  /** Every label's compiled centroids. */
  public Map<String, LabelCentroids> centroids() {
    return readCompacted(topics.centroids());
  }

  /**
   * Writes the NEW and CHANGED labels of {@code changes}, stamped with who and when.
   *
   * @return the definitions written, as written
   */
  public List<LabelDefinition> apply(List<LabelChange> changes, String changedBy) {
    List<LabelDefinition> written = changes.stream().filter(LabelChange::writes)
        .map(c -> LabelDefinition.newBuilder(c.definition()).setChangedBy(changedBy)
            .setChangedAt(clock.instant()).build())
        .toList();
    try (var producer = producer()) {
      for (LabelDefinition label : written) {
        producer.send(new ProducerRecord<>(topics.labels().name(), label.getId(), label)).get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing labels", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write to " + topics.labels().name() + ": " + e.getCause().getMessage(), e);
    }
    return written;
  }

  /** Writes a tombstone for {@code id}; false when no such label exists. */
  public boolean delete(String id) {
    if (!definitions().containsKey(id)) {
      return false;
    }
    try (var producer = producer()) {
      producer.send(new ProducerRecord<>(topics.labels().name(), id, null)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deleting label " + id, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write to " + topics.labels().name() + ": " + e.getCause().getMessage(), e);
    }
    return true;
  }

  public SieveTopics topics() {
    return topics;
  }

  private KafkaProducer<String, LabelDefinition> producer() {
    Properties props = clientProperties();
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new StringSerializer(), topics.labels().valueSerde().serializer());
  }

  private <V> Map<String, V> readCompacted(Topic<String, V> topic) {
    Properties props = clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    var values = topic.valueSerde().deserializer();
    Map<String, V> latest = new TreeMap<>();
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(topic.name());
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic.name() + " does not exist (create it, or start Sieve "
            + "once with " + SieveConfig.TOPICS_CREATE + "=true)");
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic.name() + " to its end within " + READ_TIMEOUT);
        }
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          if (record.key() == null) {
            continue;
          }
          String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
          if (record.value() == null) {
            latest.remove(key);
          } else {
            latest.put(key, values.deserialize(record.topic(), record.headers(), record.value()));
          }
        }
      }
    }
    return latest;
  }

  private Properties clientProperties() {
    Properties props = new Properties();
    // Connection and security settings are the ones every client shares with the admin client.
    config.streamsProperties().forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k.toString())) {
        props.put(k, v);
      }
    });
    return props;
  }
}
