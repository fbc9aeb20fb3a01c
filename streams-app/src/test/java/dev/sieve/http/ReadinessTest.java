package dev.sieve.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class ReadinessTest {

  private final Readiness readiness = new Readiness();
  private final TopicPartition cells = new TopicPartition("app-dedup-cells-changelog", 0);
  private final TopicPartition vectors = new TopicPartition("app-dedup-vectors-changelog", 1);

  @Test
  void readyOnlyWhenRunningWithNothingRestoring() {
    assertThat(readiness.ready()).isFalse();
    readiness.onStateChange(State.REBALANCING);
    assertThat(readiness.ready()).isFalse();

    readiness.onStateChange(State.RUNNING);
    assertThat(readiness.ready()).isTrue();

    readiness.onRestoreStart(cells, "dedup-cells", 0, 100);
    readiness.onRestoreStart(vectors, "dedup-vectors", 0, 100);
    assertThat(readiness.ready()).isFalse();
    assertThat(readiness.restoring()).isEqualTo(2);

    readiness.onRestoreEnd(cells, "dedup-cells", 100);
    assertThat(readiness.ready()).isFalse();
    readiness.onRestoreSuspended(vectors, "dedup-vectors", 40);
    assertThat(readiness.ready()).isTrue();

    readiness.onStateChange(State.PENDING_SHUTDOWN);
    assertThat(readiness.ready()).isFalse();
  }

  @Test
  void aliveUntilKafkaStreamsFailsForGood() {
    assertThat(readiness.alive()).isTrue();
    readiness.onStateChange(State.PENDING_ERROR);
    assertThat(readiness.alive()).isTrue();
    readiness.onStateChange(State.ERROR);
    assertThat(readiness.alive()).isFalse();
  }
}
