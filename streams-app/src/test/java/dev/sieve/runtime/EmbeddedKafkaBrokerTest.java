package dev.sieve.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.testing.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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

  @Test
  void restartServesTheSameAddressAndDataAndClosesTheOldInstance() throws Exception {
    EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start();
    String address = first.bootstrapServers();
    EmbeddedKafkaBroker restarted = null;
    try {
      try (Admin admin = Admin.create(first.clientConfig());
          var producer = new KafkaProducer<>(first.clientConfig(), new StringSerializer(), new StringSerializer())) {
        new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(TopicSpec.of("survives", 1));
        producer.send(new ProducerRecord<>("survives", "k", "before restart")).get(30, TimeUnit.SECONDS);
      }

      restarted = first.restart();

      assertThat(restarted.bootstrapServers()).isEqualTo(address);
      assertThatThrownBy(first::restart).isInstanceOf(IllegalStateException.class)
          .hasMessage("Kafka broker at " + address + " was closed");
      Map<String, Object> config = new HashMap<>(restarted.clientConfig());
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition partition = new TopicPartition("survives", 0);
        consumer.assign(List.of(partition));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (values.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
        }
        assertThat(values).containsExactly("before restart");
      }
    } finally {
      (restarted != null ? restarted : first).close();
    }
  }

  @Test
  void tlsListenerPresentsItsCertificateAndServesTheSameAddressAfterRestart(@TempDir Path dir) throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "embedded-broker");
    EmbeddedKafkaBroker first =
        EmbeddedKafkaBroker.builder().tlsListener(certificate.keystore(), certificate.keystorePassword()).start();
    String address = first.tlsBootstrapServers();
    EmbeddedKafkaBroker restarted = null;
    try {
      assertThat(address).startsWith("127.0.0.1:").isNotEqualTo(first.bootstrapServers());
      assertThat(tlsNodeAddresses(address, certificate)).containsExactly(address);

      restarted = first.restart();

      assertThat(restarted.tlsBootstrapServers()).isEqualTo(address);
      assertThat(tlsNodeAddresses(address, certificate)).containsExactly(address);
    } finally {
      (restarted != null ? restarted : first).close();
    }
  }

  /** The broker addresses an SSL client trusting {@code certificate} learns from {@code address}. */
  private static List<String> tlsNodeAddresses(String address, SelfSignedCertificate certificate) throws Exception {
    Map<String, Object> config = Map.of(
        "bootstrap.servers", address,
        "security.protocol", "SSL",
        "ssl.truststore.location", certificate.truststore().toString(),
        "ssl.truststore.password", certificate.truststorePassword(),
        "ssl.truststore.type", "PKCS12");
    try (Admin admin = Admin.create(config)) {
      return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
          .map(node -> node.host() + ":" + node.port()).toList();
    }
  }
}
