package dev.sieve.dedup;

/**
 * One event as the index keeps it.
 *
 * @param eventId the event's id
 * @param occurredAt the event's {@code occurredAt} (compared against the horizon between events)
 * @param timestamp the record timestamp it arrived with (retention runs on stream time)
 * @param contentHash the event's content hash (identical content is the exact route's business)
 * @param cells the event's two cells, home first ({@link SimHash#cells})
 * @param vector the event's unit vector, int8-quantised
 */
public record IndexedItem(
    String eventId, long occurredAt, long timestamp, String contentHash, int[] cells, QuantizedVector vector) {

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
