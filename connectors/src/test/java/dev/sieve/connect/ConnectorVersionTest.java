package dev.sieve.connect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectorVersionTest {

  @Test
  void reportsTheVersionTheBuildStampedIn() {
    assertThat(ConnectorVersion.get())
        .isEqualTo(System.getProperty("sieve.expected.version"))
        .doesNotContain("${");
  }
}
