package dev.sieve.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Confluent-wire-format bytes built without the code under test: a hand-written header and
 * Avro's own encoder, as a foreign producer would write them.
 */
final class HandEncoded {
  private HandEncoded() {}

  static byte[] confluentBytes(int schemaId, Schema writer, Object datum) {
    return confluentBytes(schemaId, avro(writer, datum));
  }

  static byte[] confluentBytes(int schemaId, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
  }

  static byte[] avro(Schema writer, Object datum) {
    return avro(writer, datum, GenericData.get());
  }

  /** With {@code model}: a generated class's own model converts its logical types (Instant). */
  static byte[] avro(Schema writer, Object datum, GenericData model) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<>(writer, model).write(datum, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A fresh mem:// URL, so tests sharing the JVM-wide in-memory registries do not meet. */
  static String freshMemUrl() {
    return "mem://test-" + UUID.randomUUID();
  }
}
