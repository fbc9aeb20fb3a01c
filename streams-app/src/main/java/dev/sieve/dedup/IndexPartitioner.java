package dev.sieve.dedup;

import dev.sieve.config.SieveConfig;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Sends each {@link ProbeGroup} to the index partition the scatter computed for its routes. The
 * scatter needs the partition count before it groups, so it takes it from the configuration
 * ({@code sieve.topics.partitions}, with which Kafka Streams also creates {@code dedup-index}). On
 * a topic with another count the groups would reach tasks that do not own their cells and pairs
 * would be missed without a sign, so a mismatch fails the task instead.
 */
final class IndexPartitioner implements StreamPartitioner<String, ProbeGroup> {

  private final int partitions;

  IndexPartitioner(int partitions) {
    this.partitions = partitions;
  }

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, ProbeGroup group, int numPartitions) {
    if (numPartitions != partitions) {
      throw new IllegalStateException("Topic " + topic + " has " + numPartitions + " partitions, but "
          + SieveConfig.TOPICS_PARTITIONS + " is " + partitions + ": the near-duplicate index routes by that "
          + "setting, so the two must agree");
    }
    return Optional.of(Set.of(group.partition()));
  }
}
