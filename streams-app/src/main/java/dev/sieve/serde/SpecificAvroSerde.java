package dev.sieve.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro SpecificRecords in Confluent's wire format, through a schema registry: a drop-in for
 * {@code io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}, configured with the same keys
 * ({@code schema.registry.url}, {@code auto.register.schemas}, {@code basic.auth.user.info}; see
 * {@link SpecificAvroSerdeConfig}), so either class name works in the config.
 */
public class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final SpecificAvroSerializer<T> serializer = new SpecificAvroSerializer<>();
  private final SpecificAvroDeserializer<T> deserializer = new SpecificAvroDeserializer<>();

  /** For Kafka, which instantiates serdes by class name and then calls {@link #configure}. */
  public SpecificAvroSerde() {}

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
