package dev.sieve.embed.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalModelSettingsTest {

  @Test
  void defaultsAreTwentyPagesTwentyMebibytesOneThread() {
    assertThat(LocalModelSettings.DEFAULTS).isEqualTo(new LocalModelSettings(20, 20 * 1024 * 1024, 1));
  }

  @Test
  void readsPropertiesAndDefaultsTheAbsentOnes() {
    assertThat(LocalModelSettings.from(Map.of("sieve.local.pdf.max.pages", "5", "sieve.local.intra.op.threads", 2)))
        .isEqualTo(new LocalModelSettings(5, 20 * 1024 * 1024, 2));
  }

  @Test
  void rejectsNonPositivePageLimitNamingTheSetting() {
    assertThatThrownBy(() -> new LocalModelSettings(0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sieve.local.pdf.max.pages must be at least 1, was 0");
  }

  @Test
  void rejectsNonPositiveByteLimitNamingTheSetting() {
    assertThatThrownBy(() -> new LocalModelSettings(1, -5, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sieve.local.pdf.max.bytes must be at least 1, was -5");
  }

  @Test
  void rejectsNonPositiveThreadCountNamingTheSetting() {
    assertThatThrownBy(() -> new LocalModelSettings(1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sieve.local.intra.op.threads must be at least 1, was 0");
  }

  @Test
  void rejectsAPropertyThatIsNotAnIntegerNamingTheSetting() {
    assertThatThrownBy(() -> LocalModelSettings.from(Map.of("sieve.local.pdf.max.bytes", "20MiB")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sieve.local.pdf.max.bytes must be an integer from 1 to 2147483647, was '20MiB'");
  }
}
