package dev.sieve.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Confluent's wire format for Avro: magic byte 0, the writer schema's registry id as a 4-byte
 * big-endian int, then the Avro binary encoding of the datum.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_LENGTH = 5;

  private WireFormat() {}

  /** {@code datum} written with {@code writer}, framed with {@code schemaId}. */
  public static <T> byte[] encode(int schemaId, DatumWriter<T> writer, T datum) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
    try {
      // Buffered: the direct encoder makes one synchronized stream write per value (768 per vector).
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(datum, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /**
   * The writer schema id in the header of {@code message}.
   *
   * @throws RecordDecodingException {@code wrong-magic-byte} when the first byte is not 0 (checked
   *     first: short JSON text is reported as such), {@code too-short} below 5 bytes
   */
  public static int schemaId(byte[] message) {
    if (message.length > 0 && message[0] != MAGIC_BYTE) {
      throw new RecordDecodingException(RecordDecodingException.WRONG_MAGIC_BYTE,
          String.format("first byte is 0x%02x, expected 0x%02x (Confluent wire format)",
              message[0], MAGIC_BYTE));
    }
    if (message.length < HEADER_LENGTH) {
      throw new RecordDecodingException(RecordDecodingException.TOO_SHORT,
          "record has " + message.length + " byte(s), fewer than the " + HEADER_LENGTH
              + "-byte header of the Confluent wire format (magic byte and schema id)");
    }
    return ByteBuffer.wrap(message, 1, 4).getInt();
  }

  /** A decoder over the Avro body of {@code message}, after its header. */
  public static BinaryDecoder body(byte[] message) {
    return DecoderFactory.get().binaryDecoder(message, HEADER_LENGTH, message.length - HEADER_LENGTH, null);
  }
}
