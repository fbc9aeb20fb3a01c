package dev.sieve.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * array, a table bucket is one array (read in one sweep rather than by following a chain through
 * the heap), the tables exist only once a cell has {@value #SCAN_ALL_BELOW} items, and band values
 * map to positions through primitive arrays rather than boxed collections. Beside each position a
 * bucket keeps a {@value #DIGEST_BITS}-bit digest of the item's sketch (bits of the next tables),
 * checked against its own bound first ({@link #maxDigestDistance}). In a large cell most of a
 * bucket is far away, and the digest rejects most of it in the bucket's sweep, without the random
 * read of each item's sketch that made the walk memory-latency bound (~85 ns per entry at 500k
 * items a cell; 1.4 to 4.4 times faster at 1M items, {@code sieve bench dedup}, for ~230 bytes of
 * heap per stored event).
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
  /** The probability that a check skips a pair at the threshold (see {@link #maxDistance}). */
  static final double SKIP_PROBABILITY = 1e-6;
  /** Bounds by threshold: there are few thresholds, and a bound takes a loop. */
  private static final Map<Double, Bounds> BOUNDS = new ConcurrentHashMap<>();
  private static final int[] NONE = new int[0];

  // Most cells are small (a band bucket holds one text, mostly), so nothing is allocated before it
  // is needed: a text's 16 band buckets cost about 150 bytes each, not 500.
  private final List<IndexedItem> items = new ArrayList<>(2);
  /** The items' signatures, flat ({@value #TABLES} per position); empty in a band bucket. */
  private int[] sketches = NONE;
  /**
   * Per table and bucket, its items' digests and positions (see {@link Bucket}); null until the
   * cell has {@value #SCAN_ALL_BELOW} items (smaller cells are scanned whole).
   */
  private long[][][] buckets;
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
      buckets = new long[TABLES][1 << BITS_PER_TABLE][];
      for (int p = 0; p < items.size(); p++) {
        addToBuckets(p);
      }
    }
  }

  private void addToBuckets(int position) {
    for (int t = 0; t < TABLES; t++) {
      int bucket = sketches[position * TABLES + t];
      buckets[t][bucket] = Bucket.add(buckets[t][bucket], digest(sketches, position * TABLES, t), position);
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
   * for a cosine {@code threshold}. Each bit of a pair at angle θ differs with probability θ/π,
   * independently (independent hyperplanes), so the distance of a pair at the threshold is
   * binomial: the bound is where its upper tail falls below {@value #SKIP_PROBABILITY}, while a
   * random vector (half the bits differ) almost never passes.
   */
  static int maxDistance(double threshold) {
    return bounds(threshold).sketch();
  }

  /**
   * The same bound for a bucket entry's digest, {@value #DIGEST_BITS} bits of the sketch that
   * exclude the table's own: they differ as any {@value #DIGEST_BITS} bits would, whichever bucket
   * the pair shares, so a pair at the threshold passes both checks but with probability
   * {@code 2 x} {@value #SKIP_PROBABILITY}.
   */
  static int maxDigestDistance(double threshold) {
    return bounds(threshold).digest();
  }

  /** The two bounds of a threshold, for the sketch and for a bucket entry's digest. */
  private record Bounds(int sketch, int digest) {}

  private static Bounds bounds(double threshold) {
    return BOUNDS.computeIfAbsent(threshold, key -> {
      double p = Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
      return new Bounds(binomialBound(p, SKETCH_BITS), binomialBound(p, DIGEST_BITS));
    });
  }

  /** The least k with P(X > k) ≤ {@value #SKIP_PROBABILITY} for X ~ Binomial(bits, p). */
  static int binomialBound(double p, int bits) {
    if (p >= 0.5) {
      return bits; // a threshold at or below cosine 0: nothing to skip
    }
    double probability = Math.pow(1 - p, bits); // P(X = 0)
    double atMost = probability;
    for (int k = 0; k < bits; k++) {
      if (1 - atMost <= SKIP_PROBABILITY) {
        return k;
      }
      probability *= (double) (bits - k) / (k + 1) * p / (1 - p);
      atMost += probability;
    }
    return bits;
  }

  /**
   * The items a query with these signatures and bands should be compared with: every stored text
   * sharing a band value with it, and the stored items in its buckets and the buckets one bit away
   * (all items of a small cell) whose digest and sketch are within their bounds for {@code
   * threshold} (see {@link #maxDistance}).
   */
  List<IndexedItem> candidates(int[] signature, int[] bands, double threshold) {
    if (signature == null || sketches.length == 0) {
      return items;
    }
    Bounds bounds = bounds(threshold);
    int maxDistance = bounds.sketch();
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
    int maxDigestDistance = bounds.digest();
    // every table's own bucket and the buckets one bit away (multi-probe)
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

  /** Digest first, in one sweep of the bucket; the sketch only of those within the digest's bound. */
  private void collect(int table, int bucket, long digest, int maxDigestDistance, int[] signature, int maxDistance,
      List<IndexedItem> candidates) {
    long[] entries = buckets[table][bucket];
    if (entries == null) {
      return;
    }
    int count = Bucket.count(entries);
    int capacity = Bucket.capacity(entries);
    for (int i = 0; i < count; i++) {
      if (Long.bitCount(Bucket.digest(entries, i) ^ digest) <= maxDigestDistance) {
        consider(Bucket.position(entries, capacity, i), signature, maxDistance, candidates);
      }
    }
  }

  /**
   * A table bucket in one array, so that the tables' skeleton (a reference per bucket, 16,384 per
   * table) is allocated once: {@code [0]} the count n; then the digests of the capacity c; then the
   * positions, two per long. c doubles from {@value #INITIAL} as the bucket fills.
   */
  static final class Bucket {
    private static final int INITIAL = 4;

    private Bucket() {}

    /** The bucket with one more entry: {@code bucket} itself, or a larger copy (a new one for null). */
    static long[] add(long[] bucket, long digest, int position) {
      long[] entries = bucket == null ? new long[length(INITIAL)] : bucket;
      int count = count(entries);
      int capacity = capacity(entries);
      if (count == capacity) {
        long[] grown = new long[length(capacity * 2)];
        System.arraycopy(entries, 1, grown, 1, count);
        System.arraycopy(entries, 1 + capacity, grown, 1 + capacity * 2, capacity / 2);
        entries = grown;
        capacity *= 2;
      }
      entries[1 + count] = digest;
      int slot = 1 + capacity + (count >> 1);
      int shift = (count & 1) << 5;
      entries[slot] = entries[slot] & ~(0xFFFFFFFFL << shift) | (position & 0xFFFFFFFFL) << shift;
      entries[0] = count + 1;
      return entries;
    }

    static int count(long[] bucket) {
      return (int) bucket[0];
    }

    static int capacity(long[] bucket) {
      return (bucket.length - 1) / 3 * 2;
    }

    static long digest(long[] bucket, int entry) {
      return bucket[1 + entry];
    }

    static int position(long[] bucket, int capacity, int entry) {
      return (int) (bucket[1 + capacity + (entry >> 1)] >>> ((entry & 1) << 5));
    }

    private static int length(int capacity) {
      return 1 + capacity + capacity / 2;
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
