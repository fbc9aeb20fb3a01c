package dev.sieve.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The events stored in one cell, with in-memory hash tables that find a query's likely near
 * neighbours without scanning the whole cell. Derived data: rebuilt from the items, never stored.
 *
 * <p>{@value #TABLES} tables, each keyed by {@value #BITS_PER_TABLE} further random-hyperplane
 * bits; a query looks in its own bucket and the {@value #BITS_PER_TABLE} buckets one bit away in
 * every table (multi-probe). Two vectors at cosine 0.95 differ in a given bit with probability
 * about 0.1, so one table finds the pair with probability about 0.59 and ten tables miss it with
 * probability about 1.5e-4 (about 8e-3 at cosine 0.90). A query visits about 1 % of a large cell
 * (15 of 16,384 buckets per table). Cells of up to {@value #SCAN_ALL_BELOW} events are scanned
 * whole.
 */
final class CellTables {

  static final int TABLES = 10;
  static final int BITS_PER_TABLE = 14;
  static final int SCAN_ALL_BELOW = 512;

  private final List<IndexedItem> items = new ArrayList<>();
  private final List<int[]> signatures = new ArrayList<>();
  private final int[][] heads = new int[TABLES][];
  private int[][] next = new int[TABLES][0];
  private int[] seen = new int[0];
  private int stamp;

  CellTables() {
    for (int t = 0; t < TABLES; t++) {
      heads[t] = new int[1 << BITS_PER_TABLE];
      Arrays.fill(heads[t], -1);
    }
  }

  List<IndexedItem> items() {
    return items;
  }

  int size() {
    return items.size();
  }

  /** Signatures of a vector: one bucket per table, from {@link #TABLES} x {@link #BITS_PER_TABLE} hyperplanes. */
  static int[] signatures(SimHash planes, float[] vector) {
    float[] projections = planes.projections(vector);
    int[] buckets = new int[TABLES];
    for (int t = 0; t < TABLES; t++) {
      int bucket = 0;
      for (int b = 0; b < BITS_PER_TABLE; b++) {
        if (projections[t * BITS_PER_TABLE + b] >= 0) {
          bucket |= 1 << b;
        }
      }
      buckets[t] = bucket;
    }
    return buckets;
  }

  void add(IndexedItem item, int[] signature) {
    int position = items.size();
    items.add(item);
    signatures.add(signature);
    if (position >= next[0].length) {
      int capacity = Math.max(16, next[0].length * 2);
      for (int t = 0; t < TABLES; t++) {
        next[t] = Arrays.copyOf(next[t], capacity);
      }
      seen = Arrays.copyOf(seen, capacity);
    }
    for (int t = 0; t < TABLES; t++) {
      next[t][position] = heads[t][signature[t]];
      heads[t][signature[t]] = position;
    }
  }

  /** Removes the items {@code keep} rejects; rebuilds the tables when any went. */
  List<IndexedItem> removeIf(java.util.function.Predicate<IndexedItem> remove) {
    List<IndexedItem> removed = new ArrayList<>();
    List<IndexedItem> keptItems = new ArrayList<>();
    List<int[]> keptSignatures = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (remove.test(items.get(i))) {
        removed.add(items.get(i));
      } else {
        keptItems.add(items.get(i));
        keptSignatures.add(signatures.get(i));
      }
    }
    if (!removed.isEmpty()) {
      items.clear();
      signatures.clear();
      for (int t = 0; t < TABLES; t++) {
        Arrays.fill(heads[t], -1);
      }
      next = new int[TABLES][0];
      seen = new int[0];
      for (int i = 0; i < keptItems.size(); i++) {
        add(keptItems.get(i), keptSignatures.get(i));
      }
    }
    return removed;
  }

  /** The items a query with these signatures should be compared with. */
  List<IndexedItem> candidates(int[] signature) {
    if (items.size() < SCAN_ALL_BELOW) {
      return items;
    }
    if (++stamp == 0) {
      Arrays.fill(seen, 0);
      stamp = 1;
    }
    List<IndexedItem> candidates = new ArrayList<>();
    for (int t = 0; t < TABLES; t++) {
      collect(t, signature[t], candidates);
      for (int b = 0; b < BITS_PER_TABLE; b++) {
        collect(t, signature[t] ^ (1 << b), candidates);
      }
    }
    return candidates;
  }

  private void collect(int table, int bucket, List<IndexedItem> candidates) {
    for (int position = heads[table][bucket]; position >= 0; position = next[table][position]) {
      if (seen[position] != stamp) {
        seen[position] = stamp;
        candidates.add(items.get(position));
      }
    }
  }
}
