package dev.sieve.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The bytes of a record cannot be decoded: the record itself is bad and goes to the dead-letter
 * topic. {@link #reason()} is one of the stable codes below, written to the dead-letter record.
 */
public class RecordDecodingException extends SerializationException {
  /** The first byte is not the Confluent wire format's magic byte 0 (e.g. JSON text). */
  public static final String WRONG_MAGIC_BYTE = "wrong-magic-byte";
  /** Fewer than the 5 header bytes (magic byte and schema id). */
  public static final String TOO_SHORT = "too-short";
  /** The schema id in the header is not registered. */
  public static final String UNKNOWN_SCHEMA_ID = "unknown-schema-id";
  /** The Avro body is truncated, has trailing bytes, or is not valid for the writer schema. */
  public static final String MALFORMED_AVRO = "malformed-avro";
  /** No SpecificRecord class on the classpath has the writer schema's full name. */
  public static final String NO_READER_CLASS = "no-reader-class";
  /** The writer schema names another record type than the topic carries (e.g. a label on the events topic). */
  public static final String WRONG_RECORD_TYPE = "wrong-record-type";
  /** The writer schema cannot be resolved into the reader class's schema (Avro resolution). */
  public static final String INCOMPATIBLE_WRITER_SCHEMA = "incompatible-writer-schema";

  private final String reason;

  public RecordDecodingException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public RecordDecodingException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
