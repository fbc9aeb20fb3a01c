package dev.sieve.dedup;

import dev.sieve.avro.ModelSpace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Read-only questions to the index's stores, as interactive queries ask them on one instance; the
 * caller merges the answers of all instances.
 *
 * <ul>
 *   <li>{@link #VECTOR_STORE}: event id → the event's vector, scope and space (partitioned like the
 *       input, by event id);
 *   <li>{@link #CELL_STORE}: the near-duplicate cells (partitioned by cell, so every instance holds
 *       part of every scope).
 * </ul>
 */
public final class IndexQueries {

  public static final String VECTOR_STORE = EventVectorProcessor.STORE;
  public static final String CELL_STORE = IndexProcessor.CELL_STORE;

  private IndexQueries() {}

  /**
   * An accepted event's vector as remembered for queries.
   *
   * @param space the model space key ({@link CellRouter#spaceKey})
   * @param timestamp the record timestamp it arrived with (retention runs on it)
   */
  public record EventVector(String eventId, String scope, String space, long occurredAt, long timestamp,
      QuantizedVector vector) {}

  /** A stored event and its cosine similarity to a query. */
  public record Similar(String eventId, float similarity, long occurredAt) {}

  /** The key of a model space in the index, as {@link EventVector#space} holds it. */
  public static String spaceKey(ModelSpace space) {
    return CellRouter.spaceKey(space);
  }

  /** The vector of {@code eventId} in the local partitions of {@link #VECTOR_STORE}, if held here. */
  public static Optional<EventVector> vector(ReadOnlyKeyValueStore<String, byte[]> vectors, String eventId) {
    return Optional.ofNullable(vectors.get(eventId)).map(EventVectorProcessor::decode);
  }

  /**
   * The {@code k} events of the local cells of {@code scope} and {@code space} most similar to the
   * unit vector {@code query}, most similar first (ties by event id), each once. An exhaustive scan
   * of the scope's stored events here: exact, and linear in their number. The index keeps one copy for a
   * flood of near-identical events, so those that it represents by another are not among them.
   */
  public static List<Similar> nearest(ReadOnlyKeyValueStore<String, byte[]> cells, String scope, String space,
      float[] query, int k) {
    Comparator<Similar> order = Comparator.comparingDouble(Similar::similarity)
        .thenComparing(Similar::eventId, Comparator.reverseOrder());
    PriorityQueue<Similar> top = new PriorityQueue<>(order);
    Set<String> seen = new HashSet<>();
    // The scope's stored events, and copies of the earlier format that their task has not converted yet.
    for (String prefix : List.of(StoredEvent.keyPrefix(scope, space), scope + '\0' + space + '\0')) {
      try (KeyValueIterator<String, byte[]> all = cells.prefixScan(prefix, new StringSerializer())) {
        while (all.hasNext()) {
          for (StoredEvent.Placement placement : DedupCodec.storedEvent(all.next().value).placements()) {
            IndexedItem item = placement.item();
            // Stored in band buckets only, a text has no vector here; its cells hold it with one.
            if (item.vector() != null && item.vector().dimensions() == query.length && seen.add(item.eventId())) {
              top.add(new Similar(item.eventId(), item.vector().cosine(query), item.occurredAt()));
              if (top.size() > k) {
                top.poll();
              }
            }
          }
        }
      }
    }
    List<Similar> result = new ArrayList<>(top);
    result.sort(order.reversed());
    return result;
  }

  /** Merges per-instance answers into the overall {@code k} most similar, without repeats. */
  public static List<Similar> merge(List<List<Similar>> answers, int k) {
    Comparator<Similar> best = Comparator.comparingDouble(Similar::similarity).reversed()
        .thenComparing(Similar::eventId);
    Set<String> seen = new HashSet<>();
    return answers.stream().flatMap(List::stream).sorted(best).filter(s -> seen.add(s.eventId())).limit(k).toList();
  }
}
