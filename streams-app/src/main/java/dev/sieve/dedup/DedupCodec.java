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
 * room to change them. Stored records ({@code dedup-cells}, {@code dedup-exact}) and records in
 * flight ({@code dedup-index}, {@code dedup-gather} and the gather store) are versioned apart, so
 * that the latter can change while stored and pre-filled state keeps its format.
 */
final class DedupCodec {

  /**
   * Stored events and first-seen entries. 2 added texts' signatures and bands, band buckets and
   * Jaccard. 3: the cell store keeps one record per event and task ({@link StoredEvent}: the
   * event once and the routes it is stored in) instead of one copy per cell and band bucket (up to
   * 18 for a text), under keys of their own; copies of versions 1 and 2 still read, and a task
   * converts those it finds at start ({@code IndexProcessor}). First-seen entries keep their
   * layout. An earlier version reads no version 3 record: no downgrade, no mixed versions.
   */
  private static final byte STORE_VERSION = 3;

  /**
   * Probe groups and answers. 3: one record per index partition ({@link ProbeGroup}) instead of
   * one per route, answers per partition; records of versions 1 and 2 (one per route) do not read,
   * so repartition topics and the gather store must be drained before an upgrade from them.
   */
  private static final byte FLIGHT_VERSION = 3;

  static final Serde<ProbeGroup> PROBE_GROUP = Serdes.serdeFrom(
      (topic, group) -> group == null ? null : write(FLIGHT_VERSION, out -> writeProbeGroup(out, group)),
      (topic, bytes) -> bytes == null ? null : readFlight(bytes, DedupCodec::readProbeGroup));

  static final Serde<Answer> ANSWER = Serdes.serdeFrom(
      (topic, answer) -> answer == null ? null : write(FLIGHT_VERSION, out -> writeAnswer(out, answer)),
      (topic, bytes) -> bytes == null ? null : readFlight(bytes, DedupCodec::readAnswer));

  private DedupCodec() {}

  /**
   * A stored event (format 3): scope, space and id once, then per placement the item (vector when
   * it has one) and its routes.
   */
  static byte[] storedEvent(StoredEvent event) {
    return write(STORE_VERSION, out -> {
      out.writeUTF(event.scope());
      out.writeUTF(event.space());
      out.writeUTF(event.eventId());
      out.writeByte(event.placements().size());
      for (StoredEvent.Placement placement : event.placements()) {
        IndexedItem item = placement.item();
        out.writeLong(item.occurredAt());
        out.writeLong(item.timestamp());
        out.writeUTF(item.contentHash());
        writeInts(out, item.cells());
        writeVector(out, item.vector());
        writeShorts(out, item.lexical());
        writeInts(out, item.bands());
        writeInts(out, placement.routes());
      }
    });
  }

  /** Whether a record of the cell store is a copy of format 1 or 2 (one per cell), which a task converts after start. */
  static boolean isCopy(byte[] stored) {
    return stored[0] < 3;
  }

  /**
   * A record of the cell store as a stored event: format 3, or a copy of format 1 or 2 as an event
   * stored in that one route.
   */
  static StoredEvent storedEvent(byte[] bytes) {
    return readStored(bytes, (in, version) -> {
      if (version < 3) {
        StoredCopy copy = readCopy(in, version);
        CellKey cell = copy.cell();
        return StoredEvent.of(cell.scope(), cell.space(), copy.item(),
            new int[] {cell.isBand() ? Probe.bandRoute(cell.band()) : cell.cell()});
      }
      String scope = in.readUTF();
      String space = in.readUTF();
      String id = in.readUTF();
      int n = in.readUnsignedByte();
      List<StoredEvent.Placement> placements = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long occurredAt = in.readLong();
        long timestamp = in.readLong();
        String hash = in.readUTF();
        int[] cells = readInts(in);
        QuantizedVector vector = readVector(in);
        IndexedItem item = new IndexedItem(id, occurredAt, timestamp, hash, cells, vector, readShorts(in), readInts(in));
        placements.add(new StoredEvent.Placement(item, readInts(in)));
      }
      return new StoredEvent(scope, space, placements);
    });
  }

  /** A copy of formats 1 and 2: the cell it is in, then the item. */
  record StoredCopy(CellKey cell, IndexedItem item) {}

  private static StoredCopy readCopy(DataInputStream in, int version) throws IOException {
    String scope = in.readUTF();
    String space = in.readUTF();
    int cell = in.readInt();
    String id = in.readUTF();
    long occurredAt = in.readLong();
    long timestamp = in.readLong();
    String hash = in.readUTF();
    int[] cells = readInts(in);
    QuantizedVector vector = readVector(in);
    if (version == 1) {
      return new StoredCopy(new CellKey(scope, space, cell), new IndexedItem(id, occurredAt, timestamp, hash, cells, vector));
    }
    int band = in.readInt();
    return new StoredCopy(new CellKey(scope, space, band, cell),
        new IndexedItem(id, occurredAt, timestamp, hash, cells, vector, readShorts(in), readInts(in)));
  }

  /** An int8 vector: scale, length (-1 for none), values; also the {@code dedup-vectors} store's. */
  static void writeVector(DataOutputStream out, QuantizedVector vector) throws IOException {
    out.writeFloat(vector != null ? vector.scale() : 0f);
    out.writeInt(vector != null ? vector.values().length : -1);
    if (vector != null) {
      out.write(vector.values());
    }
  }

  static QuantizedVector readVector(DataInputStream in) throws IOException {
    float scale = in.readFloat();
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] values = new byte[length];
    in.readFully(values);
    return new QuantizedVector(values, scale);
  }

  /** The first event seen with a content: id, occurredAt, record timestamp. */
  record FirstSeen(String eventId, long occurredAt, long timestamp) {}

  static byte[] firstSeen(FirstSeen first) {
    return write(STORE_VERSION, out -> {
      out.writeUTF(first.eventId());
      out.writeLong(first.occurredAt());
      out.writeLong(first.timestamp());
    });
  }

  static FirstSeen firstSeen(byte[] bytes) {
    return readStored(bytes, (in, version) -> new FirstSeen(in.readUTF(), in.readLong(), in.readLong()));
  }

  static byte[] answers(List<Answer> answers) {
    return write(FLIGHT_VERSION, out -> {
      out.writeInt(answers.size());
      for (Answer answer : answers) {
        writeAnswer(out, answer);
      }
    });
  }

  static List<Answer> answers(byte[] bytes) {
    return readFlight(bytes, (in, version) -> {
      int n = in.readInt();
      List<Answer> answers = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        answers.add(readAnswer(in, version));
      }
      return answers;
    });
  }

  private static void writeProbeGroup(DataOutputStream out, ProbeGroup group) throws IOException {
    out.writeUTF(group.eventId());
    out.writeUTF(group.scope());
    out.writeUTF(group.space());
    out.writeLong(group.occurredAt());
    out.writeUTF(group.contentHash());
    writeFloats(out, group.vector());
    writeInts(out, group.cells());
    writeShorts(out, group.lexical());
    writeInts(out, group.bands());
    writeInts(out, group.routes());
    out.writeInt(group.partition());
    out.writeInt(group.groups());
  }

  private static ProbeGroup readProbeGroup(DataInputStream in, int version) throws IOException {
    return new ProbeGroup(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readUTF(), readFloats(in),
        readInts(in), readShorts(in), readInts(in), readInts(in), in.readInt(), in.readInt());
  }

  private static void writeAnswer(DataOutputStream out, Answer answer) throws IOException {
    out.writeUTF(answer.eventId());
    out.writeUTF(answer.scope());
    out.writeInt(answer.partition());
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
    int partition = in.readInt();
    DuplicateKind kind = DuplicateKind.values()[in.readByte()];
    String match = in.readUTF();
    float similarity = in.readFloat();
    long matchOccurredAt = in.readLong();
    int expected = in.readInt();
    float jaccard = in.readFloat();
    return new Answer(id, scope, partition, kind, match.isEmpty() ? null : match, similarity, jaccard,
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

  private static byte[] write(byte version, Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(version);
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T readStored(byte[] bytes, Reader<T> reader) {
    return read(bytes, reader, version -> version >= 1 && version <= STORE_VERSION,
        "unknown stored dedup record version %d");
  }

  private static <T> T readFlight(byte[] bytes, Reader<T> reader) {
    return read(bytes, reader, version -> version == FLIGHT_VERSION,
        "dedup probe or answer of version %d, this version reads only " + FLIGHT_VERSION
            + " (versions 1 and 2 were one record per route: drain the dedup repartition topics and gather "
            + "store before upgrading)");
  }

  private static <T> T read(byte[] bytes, Reader<T> reader, java.util.function.IntPredicate known, String unknown) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (!known.test(version)) {
        throw new IllegalStateException(String.format(java.util.Locale.ROOT, unknown, version));
      }
      return reader.read(in, version);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
