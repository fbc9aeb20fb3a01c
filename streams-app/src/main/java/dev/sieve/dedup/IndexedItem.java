package dev.sieve.dedup;

/**
 * One event as the index keeps it.
 *
 * @param eventId the event's id
 * @param occurredAt the event's {@code occurredAt} (compared against the horizon between events)
 * @param timestamp the record timestamp it arrived with (retention runs on stream time)
 * @param contentHash the event's content hash (identical content is the exact route's business)
 * @param cells the event's two cells, home first ({@link SimHash#cells})
 * @param vector the event's unit vector, int8-quantised; null in a band bucket, which decides on
 *     text alone
 * @param lexical the {@link dev.sieve.embed.LexicalSignature} of its text, 16 bits per value
 *     ({@link LexicalBands#stored}); empty when it is not text only (or the lexical signal is off)
 * @param bands its {@link LexicalBands} (empty when {@code lexical} is)
 */
public record IndexedItem(String eventId, long occurredAt, long timestamp, String contentHash, int[] cells,
    QuantizedVector vector, int[] lexical, int[] bands) {

  private static final int[] NONE = new int[0];

  /** An item without a lexical signature (not a text). */
  public IndexedItem(String eventId, long occurredAt, long timestamp, String contentHash, int[] cells,
      QuantizedVector vector) {
    this(eventId, occurredAt, timestamp, contentHash, cells, vector, NONE, NONE);
  }

  /** This item as a band bucket stores it: without its vector (the same item when it has none). */
  public IndexedItem withoutVector() {
    return vector == null ? this : new IndexedItem(eventId, occurredAt, timestamp, contentHash, cells, null, lexical,
        bands);
  }

  /**
   * The one cell where the pair of this item and {@code other} is decided: the smallest cell both
   * live in, or -1 when they share none. Both events compute the same cell, and a cell handles
   * its events one at a time, so exactly one of the two finds the other there.
   */
  public int decisionCell(int[] otherCells) {
    int decision = -1;
    for (int mine : cells) {
      for (int theirs : otherCells) {
        if (mine == theirs && (decision < 0 || mine < decision)) {
          decision = mine;
        }
      }
    }
    return decision;
  }

  /**
   * The band bucket where the pair is decided when it shares no cell: the smallest band index at
   * which both have the same band value, or -1 (also when they share a cell, which decides then).
   */
  public int decisionBand(int[] otherCells, int[] otherBands) {
    if (decisionCell(otherCells) >= 0 || bands.length == 0 || otherBands.length != bands.length) {
      return -1;
    }
    for (int b = 0; b < bands.length; b++) {
      if (bands[b] == otherBands[b]) {
        return b;
      }
    }
    return -1;
  }

  /** Whether both live in the same set of cells. */
  public boolean sameCells(int[] otherCells) {
    if (cells.length != otherCells.length) {
      return false;
    }
    for (int mine : cells) {
      boolean found = false;
      for (int theirs : otherCells) {
        found |= mine == theirs;
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }
}
