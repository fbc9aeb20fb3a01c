package dev.sieve.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro SpecificRecords in Confluent's wire format, registering (or, with {@code
 * auto.register.schemas=false}, looking up) the record's schema under the subject
 * {@code <topic>-value} or {@code <topic>-key} (Confluent's TopicNameStrategy). Configured like
 * Confluent's {@code SpecificAvroSerializer}, see {@link SpecificAvroSerdeConfig}. Null is
 * written as null (a tombstone).
 */
public class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  private SchemaRegistry registry;
  private boolean autoRegister;
  private String subjectSuffix;
  private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();

  /** For Kafka, which instantiates serializers by class name and then calls {@link #configure}. */
  public SpecificAvroSerializer() {}

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    SpecificAvroSerdeConfig config = new SpecificAvroSerdeConfig(configs);
    GeneratedAvroClasses.trustInSchemas();
    registry = SchemaRegistries.forUrl(config.schemaRegistryUrl(), configs);
    autoRegister = config.autoRegisterSchemas();
    subjectSuffix = isKey ? "-key" : "-value";
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException(getClass().getSimpleName() + " is not configured; call configure() first");
    }
    Schema schema = data.getSchema();
    return WireFormat.encode(schemaId(topic + subjectSuffix, schema), writerFor(schema), data);
  }

  private int schemaId(String subject, Schema schema) {
    if (autoRegister) {
      return registry.register(subject, schema);
    }
    try {
      return registry.lookup(subject, schema);
    } catch (SchemaNotRegisteredException e) {
      throw new SchemaNotRegisteredException(e.getMessage()
          + "; " + SpecificAvroSerdeConfig.AUTO_REGISTER_SCHEMAS + " is false, so register it first", e);
    }
  }

  private DatumWriter<T> writerFor(Schema schema) {
    // The class's own model carries its logical-type conversions (e.g. Instant for timestamp-millis).
    return writers.computeIfAbsent(schema,
        s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s)));
  }
}
