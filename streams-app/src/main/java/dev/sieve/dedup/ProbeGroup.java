package dev.sieve.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The routes of one accepted event that one index partition owns, sent there as one record of the
 * {@code dedup-index} repartition topic. An event becomes one group per distinct partition of its
 * routes ({@link #scatter}): with {@code P} partitions at most {@code P} records instead of one per
 * route (19 for a text), and the index answers once per group.
 *
 * @param vector the unit vector; empty unless a cell route is in the group (the exact route and
 *     band buckets do not compare vectors)
 * @param cells the event's cells (every route's copy records them)
 * @param lexical the text's signature as {@link Probe#lexical}
 * @param bands its {@link LexicalBands} as {@link Probe#bands}
 * @param routes the group's routes ({@link Probe#route}), in the order of {@link Probe#routes}
 * @param partition the index partition that owns them ({@link Probe#partition})
 * @param groups how many groups the event has: the answers the gather waits for
 */
record ProbeGroup(String eventId, String scope, String space, long occurredAt, String contentHash,
    float[] vector, int[] cells, int[] lexical, int[] bands, int[] routes, int partition, int groups) {

  private static final float[] NO_VECTOR = new float[0];

  /**
   * The groups of {@code event} on an index of {@code partitions} partitions, by ascending
   * partition; each of its routes is in exactly one.
   */
  static List<ProbeGroup> scatter(Probe event, int partitions) {
    Map<Integer, List<Integer>> byPartition = new TreeMap<>();
    for (int route : event.routes()) {
      byPartition.computeIfAbsent(event.toRoute(route).partition(partitions), p -> new ArrayList<>()).add(route);
    }
    List<ProbeGroup> groups = new ArrayList<>(byPartition.size());
    byPartition.forEach((partition, routes) -> {
      boolean cell = routes.stream().anyMatch(route -> route >= 0);
      groups.add(new ProbeGroup(event.eventId(), event.scope(), event.space(), event.occurredAt(),
          event.contentHash(), cell ? event.vector() : NO_VECTOR, event.cells(), event.lexical(), event.bands(),
          routes.stream().mapToInt(Integer::intValue).toArray(), partition, byPartition.size()));
    });
    return groups;
  }

  /** The probe of one of the group's routes. */
  Probe probe(int route) {
    return new Probe(eventId, scope, space, occurredAt, contentHash, route >= 0 ? vector : NO_VECTOR, cells,
        lexical, bands, route);
  }
}
