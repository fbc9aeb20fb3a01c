package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sieve.avro.MediaEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;

/** Bytes that cannot be decoded fail with a stable reason code for the dead-letter topic. */
class RecordDecodingTest {
  private static final String TOPIC = "media.events";

  private final String url = HandEncoded.freshMemUrl();
  private final SchemaRegistry registry = SchemaRegistries.forUrl(url, Map.of());
  private final SpecificAvroSerde<MediaEvent> serde = new SpecificAvroSerde<>();

  {
    serde.configure(Map.of("schema.registry.url", url), false);
  }

  @Test
  void jsonTextHasTheWrongMagicByte() {
    RecordDecodingException error = decodingError("{\"id\":\"evt-1\"}".getBytes(StandardCharsets.UTF_8));

    assertThat(error.reason()).isEqualTo("wrong-magic-byte");
    assertThat(error).hasMessage("first byte is 0x7b, expected 0x00 (Confluent wire format)");
  }

  @Test
  void fewerThanFiveBytesAreTooShort() {
    RecordDecodingException error = decodingError(new byte[] {0, 0, 1});

    assertThat(error.reason()).isEqualTo("too-short");
    assertThat(error).hasMessage("record has 3 byte(s), fewer than the 5-byte header of the Confluent "
        + "wire format (magic byte and schema id)");
  }

  @Test
  void anUnregisteredSchemaIdIsAnUnknownSchemaId() {
    RecordDecodingException error = decodingError(HandEncoded.confluentBytes(42, new byte[] {2, 'a'}));

    assertThat(error.reason()).isEqualTo("unknown-schema-id");
    assertThat(error).hasMessage("schema id 42 is not registered at " + url);
  }

  @Test
  void aTruncatedBodyIsMalformedAvro() {
    byte[] bytes = serde.serializer().serialize(TOPIC, SampleRecords.mediaEvent());

    RecordDecodingException error = decodingError(Arrays.copyOf(bytes, bytes.length - 3));

    assertThat(error.reason()).isEqualTo("malformed-avro");
    assertThat(error).hasMessageStartingWith("Avro body of " + (bytes.length - 8) + " bytes is truncated or "
        + "malformed for writer schema dev.sieve.avro.MediaEvent (id 1): ");
  }

  @Test
  void bytesAfterTheRecordAreMalformedAvro() {
    byte[] bytes = serde.serializer().serialize(TOPIC, SampleRecords.mediaEvent());

    RecordDecodingException error = decodingError(Arrays.copyOf(bytes, bytes.length + 2));

    assertThat(error.reason()).isEqualTo("malformed-avro");
    assertThat(error).hasMessageEndingWith("(id 1): java.io.IOException: trailing bytes after the record");
  }

  @Test
  void aWriterSchemaNamingNoClassHasNoReaderClass() {
    Schema retired = SchemaBuilder.record("RetiredEvent").namespace("dev.sieve.avro")
        .fields().requiredString("id").endRecord();
    int id = registry.register("media.events-value", retired);

    RecordDecodingException error = decodingError(
        HandEncoded.confluentBytes(id, retired, new GenericRecordBuilder(retired).set("id", "x").build()));

    assertThat(error.reason()).isEqualTo("no-reader-class");
    assertThat(error).hasMessage("writer schema dev.sieve.avro.RetiredEvent (id " + id
        + ") names no SpecificRecord class on the classpath");
  }

  @Test
  void aWriterSchemaNamingAClassThatIsNotGeneratedHasNoReaderClass() {
    Schema file = SchemaBuilder.record("File").namespace("java.io")
        .fields().requiredString("path").endRecord();
    int id = registry.register("media.events-value", file);

    RecordDecodingException error = decodingError(
        HandEncoded.confluentBytes(id, file, new GenericRecordBuilder(file).set("path", "/etc/passwd").build()));

    assertThat(error.reason()).isEqualTo("no-reader-class");
    assertThat(error).hasMessage("writer schema java.io.File (id " + id
        + ") names no SpecificRecord class on the classpath");
  }

  @Test
  void aWriterSchemaLackingARequiredFieldIsIncompatible() {
    Schema withoutSource = OlderAndNewerSchemas.mediaEventWithout("source");
    int id = registry.register("media.events-value", withoutSource);

    RecordDecodingException error = decodingError(
        HandEncoded.confluentBytes(id, withoutSource, OlderAndNewerSchemas.textEvent(withoutSource)));

    assertThat(error.reason()).isEqualTo("incompatible-writer-schema");
    assertThat(error).hasMessageStartingWith("writer schema dev.sieve.avro.MediaEvent (id " + id
        + ") cannot be read as dev.sieve.avro.MediaEvent: ");
  }

  @Test
  void anUnreachableRegistryIsNotADecodingErrorOfTheRecord() {
    SpecificAvroDeserializer<MediaEvent> deserializer = new SpecificAvroDeserializer<>();
    deserializer.configure(Map.of("schema.registry.url", "http://127.0.0.1:" + LoopbackPort.unused(),
        "retries.wait.ms", 1), false);

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, HandEncoded.confluentBytes(7, new byte[] {2, 'a'})))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .isNotInstanceOf(RecordDecodingException.class);
  }

  private RecordDecodingException decodingError(byte[] bytes) {
    Throwable thrown = catchThrowable(() -> serde.deserializer().deserialize(TOPIC, bytes));
    assertThat(thrown).isInstanceOf(RecordDecodingException.class);
    return (RecordDecodingException) thrown;
  }
}
