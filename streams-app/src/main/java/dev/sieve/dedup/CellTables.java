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
 * (15 of 16,384 buckets per table). In cells of up to {@value #SCAN_ALL_BELOW} events every
 * stored event is a candidate. Texts are also found by their {@link LexicalBands}: every stored text sharing a band value
 * with a query text is a candidate, so a pair the lexical rule would call near duplicates on its
 * own is found in a large cell even when its vectors are far apart.
 *
 * <p>The same {@value #TABLES} x {@value #BITS_PER_TABLE} bits are also a sketch of each vector:
 * the number of bits in which two signatures differ estimates the angle between the vectors (each
 * bit differs with probability angle/π). A candidate found through the tables whose sketch differs
 * in more than {@code maxDistance} bits is not verified (see {@link #maxDistance}); this turns most
 * of the work in a large cell from a 384-dimension dot product into a few popcounts. Candidates
 * found through their band values are always verified: the lexical rule may call them near
 * duplicates whatever their cosine.
 *
 * <p>A band bucket keeps no vectors ({@code signature == null}) and is always scanned whole.
 */
final class CellTables {

  static final int TABLES = 10;
  static final int BITS_PER_TABLE = 14;
  static final int SCAN_ALL_BELOW = 512;

  static final int SKETCH_BITS = TABLES * BITS_PER_TABLE;
  /** Standard deviations above the expected distance at the threshold before a candidate is skipped. */
  private static final double SKETCH_MARGIN = 5;

  private final List<IndexedItem> items = new ArrayList<>();
  /** The items' signatures, flat ({@value #TABLES} per position), so the sketch test reads one array. */
  private int[] sketches = new int[0];
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
      sketches = Arrays.copyOf(sketches, capacity * TABLES);
    }
    System.arraycopy(signature, 0, sketches, position * TABLES, TABLES);
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
        // a band bucket has no tables and its items no signature
        keptSignatures.add(heads == null ? null : Arrays.copyOfRange(sketches, i * TABLES, (i + 1) * TABLES));
      }
    }
    if (!removed.isEmpty()) {
      items.clear();
      heads = null;
      next = new int[TABLES][0];
      seen = new int[0];
      sketches = new int[0];
      byBand.clear();
      for (int i = 0; i < keptItems.size(); i++) {
        add(keptItems.get(i), keptSignatures.get(i));
      }
    }
    return removed;
  }

  /**
   * The most sketch bits in which a stored vector may differ from a query and still be verified,
   * for a cosine {@code threshold}: the expected distance of a pair at the threshold plus
   * {@value #SKETCH_MARGIN} standard deviations, so a pair at the threshold is skipped with
   * probability below 1e-6 while a random vector (half the bits differ) almost never passes.
   */
  static int maxDistance(double threshold) {
    double p = Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
    double mean = SKETCH_BITS * p;
    double deviation = Math.sqrt(SKETCH_BITS * p * (1 - p));
    return (int) Math.min(SKETCH_BITS, Math.ceil(mean + SKETCH_MARGIN * deviation));
  }

  /**
   * The items a query with these signatures and bands should be compared with: the stored items
   * in its buckets and the buckets one bit away whose sketch is within {@code maxDistance} bits of
   * the query's, and every stored text sharing a band value with it.
   */
  List<IndexedItem> candidates(int[] signature, int[] bands, int maxDistance) {
    if (signature == null || heads == null) {
      return items;
    }
    if (++stamp == 0) {
      Arrays.fill(seen, 0);
      stamp = 1;
    }
    List<IndexedItem> candidates = new ArrayList<>();
    // texts sharing a band value first, unfiltered: the lexical rule may call them near anyway
    for (int b = 0; b < bands.length; b++) {
      for (int position : byBand.getOrDefault(bandKey(b, bands[b]), List.of())) {
        if (seen[position] != stamp) {
          seen[position] = stamp;
          candidates.add(items.get(position));
        }
      }
    }
    if (items.size() < SCAN_ALL_BELOW) {
      for (int position = 0; position < items.size(); position++) {
        if (seen[position] != stamp && isSketchNear(position, signature, maxDistance)) {
          candidates.add(items.get(position));
        }
      }
    } else {
      for (int t = 0; t < TABLES; t++) {
        collect(t, signature[t], signature, maxDistance, candidates);
        for (int b = 0; b < BITS_PER_TABLE; b++) {
          collect(t, signature[t] ^ (1 << b), signature, maxDistance, candidates);
        }
      }
    }
    return candidates;
  }

  private boolean isSketchNear(int position, int[] signature, int maxDistance) {
    return distance(sketches, position * TABLES, signature) <= maxDistance;
  }

  /** Sketch bits in which {@code signature} differs from the one stored at {@code offset} of {@code sketches}. */
  static int distance(int[] sketches, int offset, int[] signature) {
    int distance = 0;
    for (int t = 0; t < TABLES; t++) {
      distance += Integer.bitCount(sketches[offset + t] ^ signature[t]);
    }
    return distance;
  }

  private static long bandKey(int band, int value) {
    return ((long) band << 32) | (value & 0xffffffffL);
  }

  private void collect(int table, int bucket, int[] signature, int maxDistance, List<IndexedItem> candidates) {
    for (int position = heads[table][bucket]; position >= 0; position = next[table][position]) {
      // marked seen either way: a far item found again through another table is still far
      if (seen[position] != stamp) {
        seen[position] = stamp;
        if (isSketchNear(position, signature, maxDistance)) {
          candidates.add(items.get(position));
        }
      }
    }
  }
}
