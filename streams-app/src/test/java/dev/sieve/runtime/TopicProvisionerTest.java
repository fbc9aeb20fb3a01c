package dev.sieve.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafkaBroker.class)
class TopicProvisionerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static EmbeddedKafkaBroker broker;
  private static Admin admin;
  private static TopicProvisioner provisioner;

  @BeforeAll
  static void connect(EmbeddedKafkaBroker sharedBroker) {
    broker = sharedBroker;
    admin = Admin.create(broker.clientConfig());
    provisioner = new TopicProvisioner(admin, TIMEOUT);
  }

  @AfterAll
  static void disconnect() {
    admin.close();
  }

  @Test
  void readCommittedConsumerReadsExactlyTheRecordsOfACommittedTransaction(TestInfo test) {
    String topic = TopicNames.unique(test, "events");
    provisioner.provision(TopicSpec.of(topic, 3));

    List<String> written = IntStream.range(0, 100).mapToObj(i -> "event-" + i).toList();
    try (var producer = transactionalProducer(TopicNames.unique(test, "tx"))) {
      producer.initTransactions();
      producer.beginTransaction();
      written.forEach(value -> producer.send(new ProducerRecord<>(topic, value, value)));
      producer.commitTransaction();
    }

    List<ConsumerRecord<String, String>> read =
        CommittedRecords.read(broker, topic, written.size(), TIMEOUT);
    assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(written);
    assertThat(read).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
  }

  @Test
  void compactedTopicIsCreatedWithCleanupPolicyCompact(TestInfo test) throws Exception {
    String topic = TopicNames.unique(test, "labels");

    provisioner.provision(TopicSpec.of(topic, 1).compacted());

    assertThat(config(topic).get("cleanup.policy").value()).isEqualTo("compact");
  }

  @Test
  void provisioningExistingTopicsAgainChangesNothing(TestInfo test) throws Exception {
    String events = TopicNames.unique(test, "events");
    String labels = TopicNames.unique(test, "labels");
    List<TopicSpec> topics = List.of(TopicSpec.of(events, 3), TopicSpec.of(labels, 2).compacted());

    provisioner.provision(topics);
    provisioner.provision(topics);

    assertThat(partitionCount(events)).isEqualTo(3);
    assertThat(partitionCount(labels)).isEqualTo(2);
    assertThat(config(labels).get("cleanup.policy").value()).isEqualTo("compact");
  }

  @Test
  void existingTopicWithFewerPartitionsThanRequestedIsLeftAsItIs(TestInfo test) throws Exception {
    String topic = TopicNames.unique(test, "events");
    provisioner.provision(TopicSpec.of(topic, 2));

    provisioner.provision(TopicSpec.of(topic, 4));

    assertThat(partitionCount(topic)).isEqualTo(2);
  }

  private static KafkaProducer<String, String> transactionalProducer(String transactionalId) {
    Map<String, Object> config = new HashMap<>(broker.clientConfig());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static int partitionCount(String topic) throws Exception {
    Map<String, TopicDescription> topics =
        admin.describeTopics(List.of(topic)).allTopicNames().get();
    return topics.get(topic).partitions().size();
  }

  private static Config config(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get().get(resource);
  }
}
