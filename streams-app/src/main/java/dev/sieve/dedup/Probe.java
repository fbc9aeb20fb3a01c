package dev.sieve.dedup;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * An accepted event on its way to one index route: the exact route ({@code route == -1}, keyed
 * by scope and content hash), one of its two cells ({@code route >= 0}, the cell) or, for a
 * text, one of its band buckets ({@code route == -2 - band}). The scatter sends the routes that one
 * index partition owns together, as a {@link ProbeGroup}.
 *
 * @param vector the unit vector (empty on the exact route and band routes)
 * @param cells the event's cells (on every route, so that band buckets can tell which pairs a cell
 *     decides)
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

  /** Every route of the event, in the order the index handles them: exact, its cells, its bands. */
  int[] routes() {
    int[] routes = new int[1 + cells.length + bands.length];
    routes[0] = EXACT_ROUTE;
    System.arraycopy(cells, 0, routes, 1, cells.length);
    for (int band = 0; band < bands.length; band++) {
      routes[1 + cells.length + band] = bandRoute(band);
    }
    return routes;
  }

  String routingKey() {
    return exactRoute()
        ? "exact\0" + scope + '\0' + contentHash
        : "cell\0" + cellKey().encoded();
  }

  /**
   * The index partition that owns this route, of {@code partitions}: the default partitioner's
   * choice for the String-serialised routing key, so that a cell lives in exactly one task and
   * state written by earlier versions (or {@link IndexSeed}) stays where the route goes.
   */
  int partition(int partitions) {
    return Utils.toPositive(Utils.murmur2(routingKey().getBytes(StandardCharsets.UTF_8))) % partitions;
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
