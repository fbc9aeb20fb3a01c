package dev.sieve.dedup;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cell store as versions before store format 3 wrote it: one copy per cell and band bucket,
 * under the key {@code cell.encoded() + NUL + eventId}, each repeating the event. Production no
 * longer writes them; tests make them to check that they still read and are converted.
 */
final class FormatTwoCopies {

  private FormatTwoCopies() {}

  /** The copies an earlier version wrote for {@code event}: one per route, band copies without the vector. */
  static Map<String, byte[]> of(StoredEvent event) {
    Map<String, byte[]> copies = new LinkedHashMap<>();
    for (StoredEvent.Placement placement : event.placements()) {
      for (int route : placement.routes()) {
        CellKey cell = event.cell(placement.item(), route);
        IndexedItem item = cell.isBand() ? placement.item().withoutVector() : placement.item();
        copies.put(key(cell, item.eventId()), copy(cell, item));
      }
    }
    return copies;
  }

  static String key(CellKey cell, String eventId) {
    return cell.encoded() + '\0' + eventId;
  }

  /** A copy of format 2, byte for byte as {@code DedupCodec.storedCopy} wrote it before version 3. */
  static byte[] copy(CellKey cell, IndexedItem item) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(2);
      out.writeUTF(cell.scope());
      out.writeUTF(cell.space());
      out.writeInt(cell.cell());
      out.writeUTF(item.eventId());
      out.writeLong(item.occurredAt());
      out.writeLong(item.timestamp());
      out.writeUTF(item.contentHash());
      out.writeByte(item.cells().length);
      for (int c : item.cells()) {
        out.writeInt(c);
      }
      boolean vector = item.vector() != null;
      out.writeFloat(vector ? item.vector().scale() : 0f);
      out.writeInt(vector ? item.vector().values().length : -1);
      if (vector) {
        out.write(item.vector().values());
      }
      out.writeInt(cell.band());
      out.writeByte(item.lexical().length);
      for (int v : item.lexical()) {
        out.writeShort(v);
      }
      out.writeByte(item.bands().length);
      for (int b : item.bands()) {
        out.writeInt(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
