package dev.sieve.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class SieveMetricsTest {

  @Test
  void theGaugesReadTheSetThatRecords() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SieveMetrics metrics = new SieveMetrics(registry);
    metrics.indexChanged(3, 300);
    assertThat(registry.get("sieve.index.entries").gauge().value()).isEqualTo(3);
    assertThat(registry.get("sieve.index.bytes").gauge().value()).isEqualTo(300);
  }

  @Test
  void aSecondSetOnOneRegistryIsRefusedRatherThanLeftUnexported() {
    // Micrometer would keep the first set's gauges: the second set's index entries would never show
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SieveMetrics(registry);
    assertThatThrownBy(() -> new SieveMetrics(registry)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already registered");
  }
}
