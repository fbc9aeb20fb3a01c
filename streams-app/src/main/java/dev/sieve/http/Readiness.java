package dev.sieve.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Whether this instance can serve: Kafka Streams is RUNNING and no state store partition is being
 * restored. RUNNING alone is not enough: with the state updater, tasks restore while the client is
 * already RUNNING, and a query during a restore sees a partial index. Fed by the service's state
 * listener and registered as the global restore listener.
 */
public final class Readiness implements StateRestoreListener {

  private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
  private final Set<TopicPartition> restoring = ConcurrentHashMap.newKeySet();

  /** Called by the service's state listener. */
  public void onStateChange(KafkaStreams.State now) {
    state = now;
  }

  public KafkaStreams.State state() {
    return state;
  }

  /** Store partitions being restored now. */
  public int restoring() {
    return restoring.size();
  }

  public boolean ready() {
    return state == KafkaStreams.State.RUNNING && restoring.isEmpty();
  }

  /** Alive unless Kafka Streams failed for good: then a restart is the cure. */
  public boolean alive() {
    return state != KafkaStreams.State.ERROR;
  }

  @Override
  public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
    restoring.add(partition);
  }

  @Override
  public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {}

  @Override
  public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
    restoring.remove(partition);
  }

  @Override
  public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
    restoring.remove(partition);
  }
}
