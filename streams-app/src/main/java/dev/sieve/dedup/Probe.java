package dev.sieve.dedup;

/**
 * An accepted event on its way to one index route: the exact route ({@code route == -1}, keyed
 * by scope and content hash), one of its two cells ({@code route >= 0}, the cell) or, for a
 * text, one of its band buckets ({@code route == -2 - band}).
 *
 * @param vector the unit vector (empty on the exact route and band routes)
 * @param cells the event's cells (on every route, so the gather knows how many answers to expect
 *     and band buckets can tell which pairs a cell decides)
 * @param lexical the text's MinHash signature, 16 bits per value ({@link LexicalBands#stored}); empty
 *     when not a text or the lexical signal is off
 * @param bands the signature's {@link LexicalBands} (empty likewise)
 */
public record Probe(String eventId, String scope, String space, long occurredAt, String contentHash,
    float[] vector, int[] cells, int[] lexical, int[] bands, int route) {

  static final int EXACT_ROUTE = -1;

  boolean exactRoute() {
    return route == EXACT_ROUTE;
  }

  boolean bandRoute() {
    return route < EXACT_ROUTE;
  }

  static int bandRoute(int band) {
    return EXACT_ROUTE - 1 - band;
  }

  /** Answers the gather waits for: the exact route's, one per cell and one per band. */
  int answers() {
    return 1 + cells.length + bands.length;
  }

  String routingKey() {
    return exactRoute()
        ? "exact\0" + scope + '\0' + contentHash
        : "cell\0" + cellKey().encoded();
  }

  /** The cell or band bucket of this route. */
  CellKey cellKey() {
    if (bandRoute()) {
      int band = EXACT_ROUTE - 1 - route;
      return new CellKey(scope, space, band, bands[band]);
    }
    return new CellKey(scope, space, route);
  }

  Probe toRoute(int other) {
    return new Probe(eventId, scope, space, occurredAt, contentHash,
        other >= 0 ? vector : new float[0], cells, lexical, bands, other);
  }

  /** The event as a cell (with its vector) or band bucket (without) stores it. */
  IndexedItem item(long timestamp) {
    return new IndexedItem(eventId, occurredAt, timestamp, contentHash, cells,
        bandRoute() ? null : QuantizedVector.of(vector), lexical, bands);
  }
}
