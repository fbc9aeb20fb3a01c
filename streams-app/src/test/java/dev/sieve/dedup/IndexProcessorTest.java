package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IndexProcessorTest {

  private static final long GB = 1L << 30;

  @Test
  void aRebuiltIndexTakingMoreThanHalfTheHeapIsReportedWithWhatToDo() {
    // three million copies (1.5 million events) of 384 dimensions: about 1.6 GB
    assertThat(IndexProcessor.heapWarning(3_000_000, 384, 2 * GB)).hasValueSatisfying(warning -> assertThat(warning)
        .contains("3,000,000 stored copies").contains("about 1,613 MB of heap of the 2,048 MB maximum")
        .contains("-Xmx").contains("sieve.dedup.horizon.ms"));
  }

  @Test
  void anIndexWellWithinTheHeapIsNotReported() {
    assertThat(IndexProcessor.heapWarning(2_000_000, 384, 4 * GB)).isEmpty();
    // band buckets alone (no vectors): no estimate
    assertThat(IndexProcessor.heapWarning(2_000_000, 0, GB)).isEmpty();
  }

  @Test
  void purgesRunADozenTimesPerHorizonWithinBounds() {
    assertThat(IndexProcessor.purgeInterval(Duration.ofDays(30))).isEqualTo(Duration.ofHours(1));
    assertThat(IndexProcessor.purgeInterval(Duration.ofHours(4))).isEqualTo(Duration.ofMinutes(5));
    assertThat(IndexProcessor.purgeInterval(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(1));
  }
}
