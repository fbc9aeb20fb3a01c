package dev.sieve.connect.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.serde.SpecificAvroDeserializer;
import dev.sieve.testing.CommittedRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Creating the topics a test uses, and reading what landed on them. */
public final class Topics {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Topics() {}

  /** Creates single-partition topics and waits until each has a leader. */
  public static void create(EmbeddedKafkaBroker broker, String... names) {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, Duration.ofSeconds(30))
          .provision(Arrays.stream(names).map(n -> TopicSpec.of(n, 1)).toList());
    }
  }

  /** Committed records of {@code topic}, at least {@code expected}, values as raw bytes. */
  public static List<ConsumerRecord<String, byte[]>> read(EmbeddedKafkaBroker broker, String topic, int expected) {
    return CommittedRecords.read(broker, topic, expected, ConnectWorker.TIMEOUT, new ByteArrayDeserializer());
  }

  /** A decoder of Sieve's wire format for the in-process registry {@code registryUrl}. */
  public static <T extends SpecificRecord> SpecificAvroDeserializer<T> decoder(String registryUrl) {
    SpecificAvroDeserializer<T> decoder = new SpecificAvroDeserializer<>();
    decoder.configure(Map.of("schema.registry.url", registryUrl), false);
    return decoder;
  }

  public static JsonNode json(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
