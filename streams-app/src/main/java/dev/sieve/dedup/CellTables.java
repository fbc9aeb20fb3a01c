package dev.sieve.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

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
 * <p>Layout, for heap and memory traffic (the index holds millions of items): sketches are one flat
 * array, a table bucket is one array of positions (read in one sweep rather than by following a
 * chain through the heap), the tables exist only once a cell has {@value #SCAN_ALL_BELOW} items,
 * and band values map to positions through primitive arrays rather than boxed collections. Beside
 * each position a bucket keeps a {@value #DIGEST_BITS}-bit digest of the item's sketch (bits of the
 * next tables), checked against its own bound first (the hyperplanes are independent, so these
 * bits of a pair at the threshold differ as any {@value #DIGEST_BITS} would, whichever bucket it
 * shares). In a large cell most of a bucket is far away, and the digest rejects most of it in the
 * bucket's sweep, without the random read of each item's sketch that made the walk memory-latency
 * bound (~85 ns per entry at 500k items a cell; 1.7 to 4.7 times faster at 1M items, {@code sieve
 * bench dedup}, for ~250 bytes of heap per stored event).
 *
 * <p>A band bucket keeps no vectors ({@code signature == null}) and is always scanned whole.
 */
final class CellTables {

  static final int TABLES = 10;
  static final int BITS_PER_TABLE = 14;
  static final int SCAN_ALL_BELOW = 512;

  static final int SKETCH_BITS = TABLES * BITS_PER_TABLE;
  /** Bits of a bucket entry's digest: the next four tables' and 8 of the fifth's. */
  static final int DIGEST_BITS = 64;
  /** Standard deviations above the expected distance at the threshold before a candidate is skipped. */
  private static final double SKETCH_MARGIN = 5;
  private static final int[] NONE = new int[0];

  // Most cells are small (a band bucket holds one text, mostly), so nothing is allocated before it
  // is needed: a text's 16 band buckets cost about 150 bytes each, not 500.
  private final List<IndexedItem> items = new ArrayList<>(2);
  /** The items' signatures, flat ({@value #TABLES} per position); empty in a band bucket. */
  private int[] sketches = NONE;
  /**
   * Per table and bucket, the positions of the items in it, {@code [0]} holding their count; null
   * until the cell has {@value #SCAN_ALL_BELOW} items (smaller cells are scanned whole).
   */
  private int[][][] buckets;
  /** Per table and bucket, the digest of the item at the same index of {@link #buckets} (index 0 unused). */
  private long[][][] digests;
  /** Null until a stored item has band values (never in a band bucket). */
  private BandPostings byBand;
  /** Per position, the {@code stamp} of the last query that took it as a candidate; grown by queries. */
  private int[] seen = NONE;
  private int stamp;

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
    if (sketches.length < (position + 1) * TABLES) {
      sketches = Arrays.copyOf(sketches, Math.max(16 * TABLES, sketches.length * 2));
    }
    System.arraycopy(signature, 0, sketches, position * TABLES, TABLES);
    if (item.bands().length > 0) {
      if (byBand == null) {
        byBand = new BandPostings();
      }
      byBand.add(position, item.bands());
    }
    if (buckets != null) {
      addToBuckets(position);
    } else if (items.size() >= SCAN_ALL_BELOW) {
      buckets = new int[TABLES][1 << BITS_PER_TABLE][];
      digests = new long[TABLES][1 << BITS_PER_TABLE][];
      for (int p = 0; p < items.size(); p++) {
        addToBuckets(p);
      }
    }
  }

  private void addToBuckets(int position) {
    for (int t = 0; t < TABLES; t++) {
      int bucket = sketches[position * TABLES + t];
      int[] positions = buckets[t][bucket];
      long[] entryDigests = digests[t][bucket];
      if (positions == null) {
        positions = new int[4];
        entryDigests = new long[4];
      } else if (positions[0] + 1 == positions.length) {
        positions = Arrays.copyOf(positions, positions.length * 2);
        entryDigests = Arrays.copyOf(entryDigests, positions.length);
      }
      int entry = ++positions[0];
      positions[entry] = position;
      entryDigests[entry] = digest(sketches, position * TABLES, t);
      buckets[t][bucket] = positions;
      digests[t][bucket] = entryDigests;
    }
  }

  /** The digest kept in table {@code table}'s buckets: tables table+1 … table+4 and 8 bits of table+5. */
  static long digest(int[] sketch, int offset, int table) {
    long digest = 0;
    for (int k = 1; k <= 4; k++) {
      digest |= (long) sketch[offset + (table + k) % TABLES] << (BITS_PER_TABLE * (k - 1));
    }
    return digest | (long) (sketch[offset + (table + 5) % TABLES] & 0xff) << (4 * BITS_PER_TABLE);
  }

  /** Removes the items {@code remove} accepts; rebuilds the tables when any went. */
  List<IndexedItem> removeIf(Predicate<IndexedItem> remove) {
    List<IndexedItem> removed = new ArrayList<>();
    List<IndexedItem> keptItems = new ArrayList<>();
    List<int[]> keptSignatures = new ArrayList<>();
    boolean bandBucket = sketches.length == 0;
    for (int i = 0; i < items.size(); i++) {
      if (remove.test(items.get(i))) {
        removed.add(items.get(i));
      } else {
        keptItems.add(items.get(i));
        keptSignatures.add(bandBucket ? null : Arrays.copyOfRange(sketches, i * TABLES, (i + 1) * TABLES));
      }
    }
    if (!removed.isEmpty()) {
      items.clear();
      sketches = NONE;
      buckets = null;
      digests = null;
      byBand = null;
      seen = NONE;
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
    return maxDistance(threshold, SKETCH_BITS);
  }

  /** The same bound for a bucket entry's digest ({@value #DIGEST_BITS} bits of the sketch). */
  static int maxDigestDistance(double threshold) {
    return maxDistance(threshold, DIGEST_BITS);
  }

  private static int maxDistance(double threshold, int bits) {
    double p = Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
    double mean = bits * p;
    double deviation = Math.sqrt(bits * p * (1 - p));
    return (int) Math.min(bits, Math.ceil(mean + SKETCH_MARGIN * deviation));
  }

  /**
   * The items a query with these signatures and bands should be compared with: every stored text
   * sharing a band value with it, and the stored items in its buckets and the buckets one bit away
   * (all items of a small cell) whose sketch is within {@code maxDistance} bits of the query's.
   */
  List<IndexedItem> candidates(int[] signature, int[] bands, double threshold) {
    int maxDistance = maxDistance(threshold);
    if (signature == null || sketches.length == 0) {
      return items;
    }
    if (seen.length < items.size()) {
      seen = Arrays.copyOf(seen, Math.max(16, items.size() * 2));
    }
    if (++stamp == 0) {
      Arrays.fill(seen, 0);
      stamp = 1;
    }
    List<IndexedItem> candidates = new ArrayList<>();
    // texts sharing a band value first, unfiltered: the lexical rule may call them near anyway
    if (byBand != null) {
      byBand.forEachSharing(bands, position -> {
        if (seen[position] != stamp) {
          seen[position] = stamp;
          candidates.add(items.get(position));
        }
      });
    }
    if (buckets == null) {
      for (int position = 0; position < items.size(); position++) {
        consider(position, signature, maxDistance, candidates);
      }
      return candidates;
    }
    int maxDigestDistance = maxDigestDistance(threshold);
    for (int t = 0; t < TABLES; t++) {
      long digest = digest(signature, 0, t);
      int bucket = signature[t];
      collect(t, bucket, digest, maxDigestDistance, signature, maxDistance, candidates);
      for (int b = 0; b < BITS_PER_TABLE; b++) {
        collect(t, bucket ^ (1 << b), digest, maxDigestDistance, signature, maxDistance, candidates);
      }
    }
    return candidates;
  }

  private void collect(int table, int bucket, long digest, int maxDigestDistance, int[] signature, int maxDistance,
      List<IndexedItem> candidates) {
    int[] positions = buckets[table][bucket];
    if (positions == null) {
      return;
    }
    long[] entryDigests = digests[table][bucket];
    for (int i = 1; i <= positions[0]; i++) {
      if (Long.bitCount(entryDigests[i] ^ digest) <= maxDigestDistance) {
        consider(positions[i], signature, maxDistance, candidates);
      }
    }
  }

  /** Sketch first: most items of a bucket are far, and then {@code seen} is never read. */
  private void consider(int position, int[] signature, int maxDistance, List<IndexedItem> candidates) {
    if (distance(sketches, position * TABLES, signature) <= maxDistance && seen[position] != stamp) {
      seen[position] = stamp;
      candidates.add(items.get(position));
    }
  }

  /** Sketch bits in which {@code signature} differs from the one stored at {@code offset} of {@code sketches}. */
  static int distance(int[] sketches, int offset, int[] signature) {
    int distance = 0;
    for (int t = 0; t < TABLES; t++) {
      distance += Integer.bitCount(sketches[offset + t] ^ signature[t]);
    }
    return distance;
  }

  /**
   * Positions of stored texts by (band index, band value), in primitive arrays: an open-addressing
   * table from the key to the latest position with it, and per position and band the previous
   * position with the same key. Most band values are unique, so boxed lists would cost ~100 bytes
   * per band of every stored text.
   */
  private static final class BandPostings {

    private long[] keys = new long[0];
    private int[] latest = new int[0];
    private int used;
    /** {@code previous[position * BANDS + band]}: the earlier position with the same key, or -1. */
    private int[] previous = new int[0];

    void add(int position, int[] bands) {
      if (bands.length == 0) {
        return;
      }
      if ((used + bands.length) * 2 > keys.length) {
        grow();
      }
      int needed = (position + 1) * LexicalBands.BANDS;
      if (previous.length < needed) {
        previous = Arrays.copyOf(previous, Math.max(needed, previous.length * 2));
      }
      for (int b = 0; b < bands.length; b++) {
        int slot = slot(key(b, bands[b]));
        if (latest[slot] < 0) {
          keys[slot] = key(b, bands[b]);
          used++;
        }
        previous[position * LexicalBands.BANDS + b] = latest[slot];
        latest[slot] = position;
      }
    }

    void forEachSharing(int[] bands, java.util.function.IntConsumer action) {
      if (used == 0) {
        return;
      }
      for (int b = 0; b < bands.length; b++) {
        for (int p = latest[slot(key(b, bands[b]))]; p >= 0; p = previous[p * LexicalBands.BANDS + b]) {
          action.accept(p);
        }
      }
    }

    /** The key's slot, or the empty slot where it would go (linear probing). */
    private int slot(long key) {
      int mask = keys.length - 1;
      int slot = (int) mix(key) & mask;
      while (latest[slot] >= 0 && keys[slot] != key) {
        slot = (slot + 1) & mask;
      }
      return slot;
    }

    private void grow() {
      long[] oldKeys = keys;
      int[] oldLatest = latest;
      int capacity = Math.max(64, keys.length * 2);
      keys = new long[capacity];
      latest = new int[capacity];
      Arrays.fill(latest, -1);
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldLatest[i] >= 0) {
          int slot = slot(oldKeys[i]);
          keys[slot] = oldKeys[i];
          latest[slot] = oldLatest[i];
        }
      }
    }

    private static long key(int band, int value) {
      return ((long) band << 32) | (value & 0xffffffffL);
    }

    private static long mix(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return h ^ (h >>> 32);
    }
  }
}
