package dev.sieve.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Proves the embedded broker's transaction settings carry a Kafka Streams exactly-once app. */
@ExtendWith(SharedKafkaBroker.class)
class ExactlyOnceStreamsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  // The constant is deprecated in 4.4, the setting is not: its default changes in a later release.
  private static final String GLOBAL_PROCESSING_EXCEPTION_HANDLER =
      "processing.exception.handler.global.enabled";

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path stateDir;

  @Test
  void exactlyOnceV2AppWritesEveryRecordMappedOnce(EmbeddedKafkaBroker broker, TestInfo test)
      throws Exception {
    String input = TopicNames.unique(test, "input");
    String output = TopicNames.unique(test, "output");
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, TIMEOUT)
          .provision(TopicSpec.of(input, 2), TopicSpec.of(output, 2));
    }
    List<String> values = IntStream.range(0, 50).mapToObj(i -> "value-" + i).toList();

    Properties config = streamsConfig(broker, TopicNames.unique(test, "app"));
    try (KafkaStreams streams = new KafkaStreams(upperCase(input, output), config)) {
      CountDownLatch running = new CountDownLatch(1);
      streams.setStateListener(
          (newState, oldState) -> {
            if (newState == KafkaStreams.State.RUNNING) {
              running.countDown();
            }
          });
      streams.start();
      assertThat(running.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      produce(broker, input, values);

      List<ConsumerRecord<String, String>> read =
          CommittedRecords.read(broker, output, values.size(), TIMEOUT);
      assertThat(read)
          .extracting(ConsumerRecord::value)
          .containsExactlyInAnyOrderElementsOf(values.stream().map(String::toUpperCase).toList());
    }
  }

  private static Topology upperCase(String input, String output) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .mapValues(value -> value.toUpperCase())
        .to(output, Produced.with(Serdes.String(), Serdes.String()));
    return builder.build();
  }

  private Properties streamsConfig(EmbeddedKafkaBroker broker, String applicationId) {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    config.putAll(broker.clientConfig());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // Kafka Streams 4.4 warns at every start unless this is set, plainly and for the main consumer.
    config.put(GLOBAL_PROCESSING_EXCEPTION_HANDLER, true);
    config.put(StreamsConfig.mainConsumerPrefix(GLOBAL_PROCESSING_EXCEPTION_HANDLER), true);
    return config;
  }

  private static void produce(EmbeddedKafkaBroker broker, String topic, List<String> values) {
    try (var producer =
        new KafkaProducer<>(
            broker.clientConfig(), new StringSerializer(), new StringSerializer())) {
      values.forEach(value -> producer.send(new ProducerRecord<>(topic, value, value)));
    }
  }
}
