package dev.sieve.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A topic Sieve needs: its name, partition count, replication factor and topic-level config
 * (e.g. {@code cleanup.policy=compact}).
 */
public record TopicSpec(
    String name, int partitions, short replicationFactor, Map<String, String> config) {

  /** Replication factor meaning "the broker's default.replication.factor". */
  public static final short BROKER_DEFAULT_REPLICATION = -1;


  public TopicSpec {
    Objects.requireNonNull(name, "name");
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
    }
    if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT_REPLICATION) {
      throw new IllegalArgumentException("topic " + name
          + ": replication factor must be >= 1, or -1 for the broker's default");
    }
    config = Map.copyOf(config);
  }

  /** A topic with replication factor 1 and the broker's default config. */
  public static TopicSpec of(String name, int partitions) {
    return new TopicSpec(name, partitions, (short) 1, Map.of());
  }

  /** This topic with {@code cleanup.policy=compact}: the latest value per key is kept. */
  public TopicSpec compacted() {
    return withConfig("cleanup.policy", "compact");
  }

  /** This topic with one more topic-level config entry. */
  public TopicSpec withConfig(String key, String value) {
    Map<String, String> merged = new HashMap<>(config);
    merged.put(key, value);
    return new TopicSpec(name, partitions, replicationFactor, merged);
  }

  /** This topic with another replication factor. */
  public TopicSpec withReplicationFactor(short replicationFactor) {
    return new TopicSpec(name, partitions, replicationFactor, config);
  }

  NewTopic toNewTopic() {
    Optional<Short> replication = replicationFactor == BROKER_DEFAULT_REPLICATION
        ? Optional.empty() : Optional.of(replicationFactor);
    return new NewTopic(name, Optional.of(partitions), replication).configs(config);
  }
}
