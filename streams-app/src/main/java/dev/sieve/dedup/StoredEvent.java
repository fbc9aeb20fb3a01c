package dev.sieve.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What one task's cell store keeps of one event (store format 3, {@link DedupCodec#storedEvent}):
 * the event once, and the routes of this task where the index stored it. One record per event and
 * task, however many of its cells and band buckets the task holds it in (up to 18 for a text).
 *
 * <p>Normally one placement. An event id seen again with other content (or another record
 * timestamp) and stored in other routes adds a placement, so that the record restores exactly what
 * the index holds, and each placement leaves with its own timestamp ({@link #keptFrom}).
 *
 * @param placements at least one; every item has the same event id
 */
record StoredEvent(String scope, String space, List<Placement> placements) {

  /**
   * Where the index stored one item.
   *
   * @param item the event, with its vector when a route is a cell
   * @param routes cells ({@code >= 0}) and band buckets ({@link Probe#bandRoute}), as {@link Probe#route}:
   *     cells ascending, then band buckets by band, so that one placement has one encoding
   */
  record Placement(IndexedItem item, int[] routes) {

    Placement {
      routes = Arrays.stream(routes).boxed().sorted(Comparator.comparingLong(Placement::order))
          .mapToInt(Integer::intValue).toArray();
    }

    private static long order(int route) {
      return route >= 0 ? route : (long) Integer.MAX_VALUE + (-1 - route);
    }
  }

  /** Marks format-3 keys: a format-2 copy's key starts with its scope, then NUL and a non-empty space. */
  private static final String KEY_MARKER = "\0\0";

  StoredEvent {
    if (placements.isEmpty()) {
      throw new IllegalArgumentException("a stored event has at least one placement");
    }
  }

  /** {@code item} stored in {@code routes}. */
  static StoredEvent of(String scope, String space, IndexedItem item, int[] routes) {
    return new StoredEvent(scope, space, List.of(new Placement(item, routes)));
  }

  String eventId() {
    return placements.get(0).item().eventId();
  }

  /** The store key: unique per scope, space and event id, and apart from every format-2 key. */
  String key() {
    return key(scope, space, eventId());
  }

  static String key(String scope, String space, String eventId) {
    return keyPrefix(scope, space) + eventId;
  }

  /** The common start of the keys of one scope and space. */
  static String keyPrefix(String scope, String space) {
    return KEY_MARKER + scope + '\0' + space + '\0';
  }

  /** The cell or band bucket of a route of {@code item}. */
  CellKey cell(IndexedItem item, int route) {
    return route >= 0 ? new CellKey(scope, space, route) : new CellKey(scope, space, -2 - route,
        item.bands()[-2 - route]);
  }

  /** The routes over all placements: the index's copies of the event in this task. */
  int copies() {
    return placements.stream().mapToInt(p -> p.routes().length).sum();
  }

  /**
   * This event also stored in {@code routes} as {@code item}: added to the placement of the same
   * item (same record timestamp, occurredAt, content hash, cells and bands; the vector kept from
   * whichever has one), else a placement of its own. Routes already listed are not repeated.
   */
  StoredEvent with(IndexedItem item, int[] routes) {
    List<Placement> merged = new ArrayList<>(placements.size() + 1);
    boolean added = false;
    for (Placement placement : placements) {
      IndexedItem mine = placement.item();
      if (!added && sameItem(mine, item)) {
        merged.add(new Placement(mine.vector() != null ? mine : item, union(placement.routes(), routes)));
        added = true;
      } else {
        merged.add(placement);
      }
    }
    if (!added) {
      merged.add(new Placement(item, routes));
    }
    return new StoredEvent(scope, space, merged);
  }

  /** Every placement of {@code other} added as by {@link #with}. */
  StoredEvent with(StoredEvent other) {
    StoredEvent merged = this;
    for (Placement placement : other.placements()) {
      merged = merged.with(placement.item(), placement.routes());
    }
    return merged;
  }

  /** The placements whose record timestamp is not before {@code cutoff}, as the index purges; null when none. */
  StoredEvent keptFrom(long cutoff) {
    List<Placement> kept = placements.stream().filter(p -> p.item().timestamp() >= cutoff).toList();
    return kept.isEmpty() ? null : kept.size() == placements.size() ? this : new StoredEvent(scope, space, kept);
  }

  private static boolean sameItem(IndexedItem a, IndexedItem b) {
    return a.timestamp() == b.timestamp() && a.occurredAt() == b.occurredAt()
        && a.contentHash().equals(b.contentHash()) && Arrays.equals(a.cells(), b.cells())
        && Arrays.equals(a.bands(), b.bands());
  }

  private static int[] union(int[] routes, int[] more) {
    int[] union = Arrays.copyOf(routes, routes.length + more.length);
    int n = routes.length;
    for (int route : more) {
      if (Arrays.stream(union, 0, n).noneMatch(r -> r == route)) {
        union[n++] = route;
      }
    }
    return Arrays.copyOf(union, n);
  }
}
