package dev.sieve.dedup;

import dev.sieve.avro.DuplicateKind;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Binary encodings of the index's internal records (repartition topics and state stores). They
 * never leave the application, so they carry no registry schema; a leading version byte leaves
 * room to change them.
 */
final class DedupCodec {

  /** 2 added texts' signatures and bands, band buckets and Jaccard; version 1 records still read. */
  private static final byte VERSION = 2;

  static final Serde<Probe> PROBE = Serdes.serdeFrom(
      (topic, probe) -> probe == null ? null : write(out -> writeProbe(out, probe)),
      (topic, bytes) -> bytes == null ? null : read(bytes, DedupCodec::readProbe));

  static final Serde<Answer> ANSWER = Serdes.serdeFrom(
      (topic, answer) -> answer == null ? null : write(out -> writeAnswer(out, answer)),
      (topic, bytes) -> bytes == null ? null : read(bytes, DedupCodec::readAnswer));

  private DedupCodec() {}

  /** A stored copy: the cell it is in, then the item. */
  static byte[] storedCopy(CellKey cell, IndexedItem item) {
    return write(out -> {
      out.writeUTF(cell.scope());
      out.writeUTF(cell.space());
      out.writeInt(cell.cell());
      out.writeUTF(item.eventId());
      out.writeLong(item.occurredAt());
      out.writeLong(item.timestamp());
      out.writeUTF(item.contentHash());
      writeInts(out, item.cells());
      boolean vector = item.vector() != null;
      out.writeFloat(vector ? item.vector().scale() : 0f);
      out.writeInt(vector ? item.vector().values().length : -1);
      if (vector) {
        out.write(item.vector().values());
      }
      out.writeInt(cell.band());
      writeShorts(out, item.lexical());
      writeInts(out, item.bands());
    });
  }

  record StoredCopy(CellKey cell, IndexedItem item) {}

  static StoredCopy storedCopy(byte[] bytes) {
    return read(bytes, (in, version) -> {
      String scope = in.readUTF();
      String space = in.readUTF();
      int cell = in.readInt();
      String id = in.readUTF();
      long occurredAt = in.readLong();
      long timestamp = in.readLong();
      String hash = in.readUTF();
      int[] cells = readInts(in);
      float scale = in.readFloat();
      int length = in.readInt();
      QuantizedVector vector = null;
      if (length >= 0) {
        byte[] values = new byte[length];
        in.readFully(values);
        vector = new QuantizedVector(values, scale);
      }
      if (version == 1) {
        return new StoredCopy(new CellKey(scope, space, cell), new IndexedItem(id, occurredAt, timestamp, hash, cells, vector));
      }
      int band = in.readInt();
      return new StoredCopy(new CellKey(scope, space, band, cell),
          new IndexedItem(id, occurredAt, timestamp, hash, cells, vector, readShorts(in), readInts(in)));
    });
  }

  /** The first event seen with a content: id, occurredAt, record timestamp. */
  record FirstSeen(String eventId, long occurredAt, long timestamp) {}

  static byte[] firstSeen(FirstSeen first) {
    return write(out -> {
      out.writeUTF(first.eventId());
      out.writeLong(first.occurredAt());
      out.writeLong(first.timestamp());
    });
  }

  static FirstSeen firstSeen(byte[] bytes) {
    return read(bytes, (in, version) -> new FirstSeen(in.readUTF(), in.readLong(), in.readLong()));
  }

  static byte[] answers(List<Answer> answers) {
    return write(out -> {
      out.writeInt(answers.size());
      for (Answer answer : answers) {
        writeAnswer(out, answer);
      }
    });
  }

  static List<Answer> answers(byte[] bytes) {
    return read(bytes, (in, version) -> {
      int n = in.readInt();
      List<Answer> answers = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        answers.add(readAnswer(in, version));
      }
      return answers;
    });
  }

  private static void writeProbe(DataOutputStream out, Probe probe) throws IOException {
    out.writeUTF(probe.eventId());
    out.writeUTF(probe.scope());
    out.writeUTF(probe.space());
    out.writeLong(probe.occurredAt());
    out.writeUTF(probe.contentHash());
    writeFloats(out, probe.vector());
    writeInts(out, probe.cells());
    out.writeInt(probe.route());
    writeShorts(out, probe.lexical());
    writeInts(out, probe.bands());
  }

  private static Probe readProbe(DataInputStream in, int version) throws IOException {
    String id = in.readUTF();
    String scope = in.readUTF();
    String space = in.readUTF();
    long occurredAt = in.readLong();
    String hash = in.readUTF();
    float[] vector = readFloats(in);
    int[] cells = readInts(in);
    int route = in.readInt();
    return version == 1
        ? new Probe(id, scope, space, occurredAt, hash, vector, cells, new int[0], new int[0], route)
        : new Probe(id, scope, space, occurredAt, hash, vector, cells, readShorts(in), readInts(in), route);
  }

  private static void writeAnswer(DataOutputStream out, Answer answer) throws IOException {
    out.writeUTF(answer.eventId());
    out.writeUTF(answer.scope());
    out.writeInt(answer.route());
    out.writeByte(answer.kind().ordinal());
    out.writeUTF(answer.matchId() == null ? "" : answer.matchId());
    out.writeFloat(answer.similarity());
    out.writeLong(answer.matchOccurredAt());
    out.writeInt(answer.expected());
    out.writeFloat(answer.jaccard());
  }

  private static Answer readAnswer(DataInputStream in, int version) throws IOException {
    String id = in.readUTF();
    String scope = in.readUTF();
    int route = in.readInt();
    DuplicateKind kind = DuplicateKind.values()[in.readByte()];
    String match = in.readUTF();
    float similarity = in.readFloat();
    long matchOccurredAt = in.readLong();
    int expected = in.readInt();
    float jaccard = version == 1 ? Float.NaN : in.readFloat();
    return new Answer(id, scope, route, kind, match.isEmpty() ? null : match, similarity, jaccard,
        matchOccurredAt, expected);
  }

  /**
   * A length, then the values big-endian as {@link DataOutputStream#writeFloat} writes them, in one
   * block: one stream call per value was most of a probe's encoding.
   */
  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    ByteBuffer block = ByteBuffer.allocate(Float.BYTES * values.length);
    block.asFloatBuffer().put(values);
    out.write(block.array());
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    byte[] block = new byte[Float.BYTES * in.readInt()];
    in.readFully(block);
    float[] values = new float[block.length / Float.BYTES];
    ByteBuffer.wrap(block).asFloatBuffer().get(values);
    return values;
  }

  private static void writeInts(DataOutputStream out, int[] values) throws IOException {
    out.writeByte(values.length);
    for (int v : values) {
      out.writeInt(v);
    }
  }

  private static int[] readInts(DataInputStream in) throws IOException {
    int[] values = new int[in.readUnsignedByte()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readInt();
    }
    return values;
  }

  /** Values of 16 bits ({@link LexicalBands#stored}). */
  private static void writeShorts(DataOutputStream out, int[] values) throws IOException {
    out.writeByte(values.length);
    for (int v : values) {
      out.writeShort(v);
    }
  }

  private static int[] readShorts(DataInputStream in) throws IOException {
    int[] values = new int[in.readUnsignedByte()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readUnsignedShort();
    }
    return values;
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private interface Reader<T> {
    T read(DataInputStream in, int version) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T read(byte[] bytes, Reader<T> reader) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != 1 && version != VERSION) {
        throw new IllegalStateException("unknown dedup record version " + version);
      }
      return reader.read(in, version);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
