package dev.sieve.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * whole. Texts are also found by their {@link LexicalBands}: every stored text sharing a band value
 * with a query text is a candidate, so a pair the lexical rule would call near duplicates on its
 * own is found in a large cell even when its vectors are far apart.
 *
 * <p>A band bucket keeps no vectors ({@code signature == null}) and is always scanned whole.
 */
final class CellTables {

  static final int TABLES = 10;
  static final int BITS_PER_TABLE = 14;
  static final int SCAN_ALL_BELOW = 512;

  private final List<IndexedItem> items = new ArrayList<>();
  private final List<int[]> signatures = new ArrayList<>();
  /** Positions of stored texts by (band index, band value). */
  private final Map<Long, List<Integer>> byBand = new HashMap<>();
  /** Allocated with the first vector (640 KB): band buckets, which hold none, stay small. */
  private int[][] heads;
  private int[][] next = new int[TABLES][0];
  private int[] seen = new int[0];
  private int stamp;

  private void allocateHeads() {
    heads = new int[TABLES][1 << BITS_PER_TABLE];
    for (int t = 0; t < TABLES; t++) {
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
    if (signature == null) {
      return;
    }
    if (heads == null) {
      allocateHeads();
    }
    for (int b = 0; b < item.bands().length; b++) {
      byBand.computeIfAbsent(bandKey(b, item.bands()[b]), k -> new ArrayList<>()).add(position);
    }
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
      heads = null;
      next = new int[TABLES][0];
      seen = new int[0];
      byBand.clear();
      for (int i = 0; i < keptItems.size(); i++) {
        add(keptItems.get(i), keptSignatures.get(i));
      }
    }
    return removed;
  }

  /** The items a query with these signatures and bands should be compared with. */
  List<IndexedItem> candidates(int[] signature, int[] bands) {
    if (items.size() < SCAN_ALL_BELOW || signature == null || heads == null) {
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
    for (int b = 0; b < bands.length; b++) {
      for (int position : byBand.getOrDefault(bandKey(b, bands[b]), List.of())) {
        if (seen[position] != stamp) {
          seen[position] = stamp;
          candidates.add(items.get(position));
        }
      }
    }
    return candidates;
  }

  private static long bandKey(int band, int value) {
    return ((long) band << 32) | (value & 0xffffffffL);
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
