package dev.sieve.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format records into the generated SpecificRecord class named by the
 * writer schema, resolving the writer schema (fetched by id) into that class's schema, so data
 * written with an older or newer compatible schema is read. Configured like Confluent's
 * {@code SpecificAvroDeserializer}, see {@link SpecificAvroSerdeConfig}. Null is read as null.
 *
 * <p>Bad bytes raise {@link RecordDecodingException} with a reason code; an unreachable registry
 * raises {@link SchemaRegistryUnavailableException}, since the record may well be fine.
 */
public class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private SchemaRegistry registry;
  private Class<?> expectedType;
  private final Map<Integer, WriterReader<T>> readers = new ConcurrentHashMap<>();

  /** A writer schema and the reader that resolves it into its class. */
  private record WriterReader<T>(Schema writer, DatumReader<T> reader) {}

  /** For Kafka, which instantiates deserializers by class name and then calls {@link #configure}. */
  public SpecificAvroDeserializer() {}

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    SpecificAvroSerdeConfig config = new SpecificAvroSerdeConfig(configs);
    GeneratedAvroClasses.trustInSchemas();
    registry = SchemaRegistries.forUrl(config.schemaRegistryUrl(), configs);
    expectedType = isKey ? null : config.valueType();
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException(getClass().getSimpleName() + " is not configured; call configure() first");
    }
    int schemaId = WireFormat.schemaId(data);
    WriterReader<T> writerReader = readers.get(schemaId);
    if (writerReader == null) {
      // Built outside the map's lock: it may wait for the registry.
      writerReader = readerFor(schemaId);
      readers.putIfAbsent(schemaId, writerReader);
    }
    BinaryDecoder body = WireFormat.body(data);
    try {
      T record = writerReader.reader().read(null, body);
      if (!body.isEnd()) {
        throw new IOException("trailing bytes after the record");
      }
      return record;
    } catch (IOException | RuntimeException e) {
      throw new RecordDecodingException(RecordDecodingException.MALFORMED_AVRO,
          "Avro body of " + (data.length - WireFormat.HEADER_LENGTH) + " bytes is truncated or "
              + "malformed for writer schema " + writerReader.writer().getFullName() + " (id "
              + schemaId + "): " + e,
          e);
    }
  }

  private WriterReader<T> readerFor(int schemaId) {
    Schema writer = writerSchema(schemaId);
    Class<?> readerClass = classNamedBy(writer);
    if (readerClass == null || !SpecificRecord.class.isAssignableFrom(readerClass)) {
      throw new RecordDecodingException(RecordDecodingException.NO_READER_CLASS,
          "writer schema " + writer.getFullName() + " (id " + schemaId
              + ") names no SpecificRecord class on the classpath");
    }
    if (expectedType != null && !expectedType.isAssignableFrom(readerClass)) {
      throw new RecordDecodingException(RecordDecodingException.WRONG_RECORD_TYPE,
          "writer schema " + writer.getFullName() + " (id " + schemaId + ") is not a "
              + expectedType.getName() + ", the type this topic carries");
    }
    SpecificData model = SpecificData.getForClass(readerClass);
    Schema reader = model.getSchema(readerClass);
    SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
      throw new RecordDecodingException(RecordDecodingException.INCOMPATIBLE_WRITER_SCHEMA,
          "writer schema " + writer.getFullName() + " (id " + schemaId + ") cannot be read as "
              + readerClass.getName() + ": " + compatibility.getDescription());
    }
    return new WriterReader<>(writer, new SpecificDatumReader<>(writer, reader, model));
  }

  /** The class named by the schema, null if there is none or Avro may not load it. */
  private static Class<?> classNamedBy(Schema writer) {
    try {
      return SpecificData.get().getClass(writer);
    } catch (SecurityException e) {
      return null;
    }
  }

  private Schema writerSchema(int schemaId) {
    try {
      return registry.schemaById(schemaId);
    } catch (UnknownSchemaIdException e) {
      throw new RecordDecodingException(RecordDecodingException.UNKNOWN_SCHEMA_ID, e.getMessage(), e);
    }
  }
}
