package dev.sieve.dedup;

/**
 * An accepted event on its way to one index route: the exact route ({@code cell < 0}, keyed by
 * scope and content hash) or one of its two cells (keyed by {@link CellKey}).
 *
 * @param vector the unit vector (empty on the exact route)
 * @param cells the event's cells (both, on every route, so the gather knows how many answers to expect)
 */
public record Probe(String eventId, String scope, String space, long occurredAt, String contentHash,
    float[] vector, int[] cells, int cell) {

  static final int EXACT_ROUTE = -1;

  boolean exactRoute() {
    return cell == EXACT_ROUTE;
  }

  /** Answers the gather waits for: the exact route's and one per cell. */
  int answers() {
    return 1 + cells.length;
  }

  String routingKey() {
    return exactRoute()
        ? "exact\0" + scope + '\0' + contentHash
        : "cell\0" + cellKey().encoded();
  }

  CellKey cellKey() {
    return new CellKey(scope, space, cell);
  }

  Probe toRoute(int route) {
    return new Probe(eventId, scope, space, occurredAt, contentHash,
        route == EXACT_ROUTE ? new float[0] : vector, cells, route);
  }
}
