package dev.sieve.embed.stage;

import dev.sieve.topology.Outcome.Source;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An input record the embed stage has taken but not yet answered, as kept in its pending store:
 * everything needed to produce its output or its dead letter after a restart.
 *
 * <p>The decoded event is not stored: the original value bytes carry their schema id, so decoding
 * them again gives the same event, even after the event schema evolved between crash and restart.
 * A value larger than {@code sieve.embed.inline.max.bytes} is not stored either ({@code
 * originalValue} is null): {@code source} locates it in the input topic, from which it is re-read
 * after a restore.
 *
 * @param key the event id (the record key downstream)
 * @param originalKey the input record's key bytes, or null
 * @param originalValue the input record's value bytes, or null when stored by reference
 * @param source where the input record was read
 * @param timestamp the input record's timestamp, kept on the output
 * @param headers the input record's headers, kept on the output and the dead letter
 */
record PendingRecord(
    String key, byte[] originalKey, byte[] originalValue, Source source, long timestamp, Headers headers) {

  private static final byte FORMAT = 1;

  boolean byReference() {
    return originalValue == null;
  }

  /** Serde of the pending store's values; a versioned, length-prefixed binary layout. */
  static Serde<PendingRecord> serde() {
    Serializer<PendingRecord> serializer = (topic, record) -> record == null ? null : record.toBytes();
    Deserializer<PendingRecord> deserializer = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private byte[] toBytes() {
    var bytes = new ByteArrayOutputStream(64 + (originalValue == null ? 0 : originalValue.length));
    try (var out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(key);
      writeBytes(out, originalKey);
      writeBytes(out, originalValue);
      out.writeUTF(source.topic());
      out.writeInt(source.partition());
      out.writeLong(source.offset());
      out.writeLong(timestamp);
      Header[] all = headers.toArray();
      out.writeInt(all.length);
      for (Header header : all) {
        out.writeUTF(header.key());
        writeBytes(out, header.value());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static PendingRecord fromBytes(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalStateException("pending record in unknown format " + format);
      }
      String key = in.readUTF();
      byte[] originalKey = readBytes(in);
      byte[] originalValue = readBytes(in);
      Source source = new Source(in.readUTF(), in.readInt(), in.readLong());
      long timestamp = in.readLong();
      int count = in.readInt();
      Headers headers = new RecordHeaders();
      for (int i = 0; i < count; i++) {
        headers.add(in.readUTF(), readBytes(in));
      }
      return new PendingRecord(key, originalKey, originalValue, source, timestamp, headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value == null ? -1 : value.length);
    if (value != null) {
      out.write(value);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    return length < 0 ? null : in.readNBytes(length);
  }
}
