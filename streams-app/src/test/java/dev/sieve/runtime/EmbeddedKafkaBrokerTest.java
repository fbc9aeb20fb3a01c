package dev.sieve.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

  @Test
  void startFailsWithClearMessageWhenBrokerIsNotUpBeforeTheDeadline() {
    EmbeddedKafkaBroker.Builder builder =
        EmbeddedKafkaBroker.builder().startupTimeout(Duration.ofMillis(1));

    assertThatThrownBy(builder::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageMatching(
            "Kafka broker at 127\\.0\\.0\\.1:\\d+ did not come up within PT0\\.001S: .*")
        .hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void brokerRestartedOnItsDataDirectoryKeepsItsTopics(@TempDir Path dataDir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir);
        Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(TopicSpec.of("kept", 2));
    }

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir);
        Admin admin = Admin.create(broker.clientConfig())) {
      var topics = admin.describeTopics(List.of("kept")).allTopicNames().get();
      assertThat(topics.get("kept").partitions()).hasSize(2);
    }
  }
}
