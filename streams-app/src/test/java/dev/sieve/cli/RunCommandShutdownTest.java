package dev.sieve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.deadletter.DeadLetterHeaders;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code sieve run} as a real process: it processes records, and SIGTERM stops it cleanly. */
@ExtendWith(SharedKafkaBroker.class)
class RunCommandShutdownTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @Test
  void sigtermStopsTheServiceCleanlyAfterItProcessedRecords(EmbeddedKafkaBroker broker, TestInfo test,
      @TempDir(factory = BuildDirTempDirFactory.class) Path stateDir) throws Exception {
    String events = TopicNames.unique(test, "events");
    String dlq = TopicNames.unique(test, "dlq");
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        SieveCommand.class.getName(), "run",
        "--bootstrap-servers", broker.bootstrapServers(),
        "--registry-url", "mem://run-test",
        "-D", "sieve.topics.create=true",
        "-D", "sieve.topic.events=" + events,
        "-D", "sieve.topic.embeddings=" + TopicNames.unique(test, "embeddings"),
        "-D", "sieve.topic.dlq=" + dlq,
        "-D", "application.id=" + TopicNames.unique(test, "app"),
        "-D", "state.dir=" + stateDir,
        "-D", "sieve.http.port=0")
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("KAFKA_") || name.startsWith("SIEVE_"));
    Process sieve = builder.start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> readLines(sieve, output));
    reader.start();
    try {
      awaitLine(output, "-> RUNNING", sieve);

      try (var producer = new KafkaProducer<>(producerProps(broker), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(events, "k1", "{\"not\":\"avro\"}")).get();
      }
      var deadLetters = CommittedRecords.read(broker, dlq, 1, DEADLINE);
      assertThat(deadLetters).singleElement().satisfies(r ->
          assertThat(DeadLetterHeaders.text(r.headers(), DeadLetterHeaders.REASON)).isEqualTo("wrong-magic-byte"));

      // SIGTERM through the handle: Process.destroy() would also close our end of its output.
      sieve.toHandle().destroy();
      assertThat(sieve.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      reader.join(DEADLINE.toMillis());
      // 143 = 128 + SIGTERM: how every JVM reports a signal-initiated exit, however clean.
      assertThat(sieve.exitValue()).as(String.join("\n", output)).isEqualTo(143);
      assertThat(output).anySatisfy(line -> assertThat(line).contains("PENDING_SHUTDOWN -> NOT_RUNNING"));
      assertThat(output).anySatisfy(line -> assertThat(line).contains("Sieve stopped"));
    } finally {
      sieve.destroyForcibly();
    }
  }

  private static void awaitLine(List<String> output, String fragment, Process process) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (output.stream().noneMatch(line -> line.contains(fragment))) {
      assertThat(process.isAlive()).as("sieve run exited early:\n" + String.join("\n", output)).isTrue();
      assertThat(System.nanoTime()).as("no '" + fragment + "' in:\n" + String.join("\n", output)).isLessThan(deadline);
      Thread.sleep(20); // polling the child's output, not waiting for a result
    }
  }

  private static void readLines(Process process, List<String> sink) {
    try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        sink.add(line);
      }
    } catch (java.io.IOException e) {
      // The process ended and its stream was closed under us: nothing more to read.
    }
  }

  private static Properties producerProps(EmbeddedKafkaBroker broker) {
    Properties props = new Properties();
    props.putAll(broker.clientConfig());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return props;
  }
}
