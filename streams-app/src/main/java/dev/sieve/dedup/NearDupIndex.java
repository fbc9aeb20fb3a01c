package dev.sieve.dedup;

import dev.sieve.embed.LexicalSignature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The near-duplicate index of the cells one task owns, in memory. The task's state store is the
 * durable copy: every insert and removal here is mirrored there, and the index is rebuilt from
 * the store when the task starts (see {@code IndexProcessor}).
 *
 * <p>Probing and inserting an event into a cell is one step, and a cell is only ever touched by
 * one thread, so for two events the cell that decides their pair ({@link
 * IndexedItem#decisionCell}) sees them in one order: the second finds the first.
 *
 * <p>Within a cell, {@link CellTables} pick the stored events worth comparing (those whose
 * sketch can still be within the threshold, and texts sharing a band value); every candidate is
 * verified by cosine against the threshold, and for two texts by the {@link LexicalRule}. Band
 * buckets ({@link CellKey#isBand}) hold texts without vectors and decide the text pairs that share
 * no cell, by Jaccard alone.
 *
 * <p>An event is not inserted into a cell where it is already represented, which keeps a flood of
 * near-identical events from growing the cell: where it matched a stored event as a near
 * duplicate, where an event with the same content and cells is stored, or where a stored event
 * with the same cells is at least {@code floodSimilarity} similar to it (or, for two texts, at
 * least the lexical rule's {@code jaccard}). In a band bucket, a text is not inserted where a
 * stored text is lexically near it (at least {@code jaccard}), whichever route decides their pair.
 */
public final class NearDupIndex {

  private final SpaceThresholds thresholds;
  private final LexicalRule lexical;
  private final double floodSimilarity;
  private final long horizonMillis;
  /** Seed of the in-cell bucket hyperplanes; derived data only, so not a setting. */
  private static final long BUCKET_SEED = 0x7AB1E5L;

  private final Map<CellKey, CellTables> cells;
  private final Map<String, SimHash> bucketPlanes;
  private long comparisons;
  /** The last item a signature was computed for, and that signature: an event probes two cells in a row. */
  private IndexedItem lastSigned;
  private int[] lastSignature;

  public NearDupIndex(double threshold, double floodSimilarity, long horizonMillis) {
    this(SpaceThresholds.uniform(threshold), LexicalRule.DEFAULTS, floodSimilarity, horizonMillis);
  }

  /** An index whose threshold depends on the cell's model space, texts compared by {@code lexical}. */
  public NearDupIndex(SpaceThresholds thresholds, LexicalRule lexical, double floodSimilarity, long horizonMillis) {
    this(thresholds, lexical, floodSimilarity, horizonMillis, new HashMap<>(), new HashMap<>());
  }

  private NearDupIndex(SpaceThresholds thresholds, LexicalRule lexical, double floodSimilarity, long horizonMillis,
      Map<CellKey, CellTables> cells, Map<String, SimHash> bucketPlanes) {
    this.bucketPlanes = bucketPlanes;
    this.thresholds = thresholds;
    this.lexical = lexical;
    this.floodSimilarity = floodSimilarity;
    this.horizonMillis = horizonMillis;
    this.cells = cells;
  }

  /**
   * The most similar earlier event a cell decided on, if any.
   *
   * @param similarity cosine; NaN when a band bucket decided on text alone
   * @param jaccard estimated Jaccard; NaN unless both are texts
   */
  public record Match(String eventId, float similarity, float jaccard, long occurredAt) {}

  /** What probing one cell gave: the best match decided in this cell (or null) and whether the event was stored. */
  public record CellProbe(Match match, boolean stored) {}

  /** A stored event and its similarity to a query. */
  public record Neighbour(IndexedItem item, float similarity) {}

  /**
   * Compares {@code event} with the events stored in {@code cell}, then stores it there unless it
   * is represented. A match counts only in the pair's decision cell (or, for texts that share no
   * cell, decision band), only within the horizon and only between different contents (identical
   * content is decided by the exact route). In a SimHash cell the pair is judged by
   * {@link LexicalRule#near} (cosine, and Jaccard for two texts); in a band bucket, which holds no
   * vectors, by Jaccard alone ({@link LexicalRule#jaccard}).
   *
   * @param unitVector the event's unit vector; unused (may be empty) in a band bucket
   */
  public CellProbe probeAndInsert(CellKey cell, IndexedItem event, float[] unitVector) {
    CellTables tables = cells.computeIfAbsent(cell, k -> new CellTables());
    int[] signature = signature(cell, event);
    Scan scan = scan(tables.candidates(signature, event.bands(), thresholds.of(cell.space())), cell, event, unitVector);
    if (!scan.represented) {
      tables.add(event, signature);
    }
    return new CellProbe(scan.best, !scan.represented);
  }

  /** What {@link #probeAndInsert} would match, without storing the event. */
  public Match probe(CellKey cell, IndexedItem event, float[] unitVector) {
    CellTables tables = cells.get(cell);
    return tables == null ? null
        : scan(tables.candidates(signature(cell, event), event.bands(), thresholds.of(cell.space())), cell, event,
            unitVector)
            .best;
  }

  /**
   * The in-cell bucket signature, from the int8 vector as stored, so that identical content finds
   * itself whether it is stored or queried; none in a band bucket.
   */
  private int[] signature(CellKey cell, IndexedItem event) {
    if (cell.isBand()) {
      return null;
    }
    if (event == lastSigned) {
      return lastSignature; // the same item probing its other cell (one space per event)
    }
    QuantizedVector vector = event.vector();
    SimHash planes = bucketPlanes.computeIfAbsent(cell.space(), key -> new SimHash(
        CellTables.TABLES * CellTables.BITS_PER_TABLE, vector.dimensions(), BUCKET_SEED, key));
    lastSignature = CellTables.signatures(planes, vector.toFloats());
    lastSigned = event;
    return lastSignature;
  }

  /** The same stored events, matched at another threshold (for comparisons in the bench). */
  public NearDupIndex withThreshold(double otherThreshold) {
    return new NearDupIndex(SpaceThresholds.uniform(otherThreshold), lexical, floodSimilarity, horizonMillis, cells,
        bucketPlanes);
  }

  private record Scan(Match best, boolean represented) {}

  private Scan scan(List<IndexedItem> items, CellKey cell, IndexedItem event, float[] unitVector) {
    Match best = null;
    boolean represented = false;
    double threshold = thresholds.of(cell.space());
    // never drop an event that a lower flood similarity would call represented but is no duplicate
    double flood = Math.max(threshold, floodSimilarity);
    for (IndexedItem stored : items) {
      if (stored.eventId().equals(event.eventId())) {
        represented = true; // a redelivery: it is already here
        continue;
      }
      if (Math.abs(stored.occurredAt() - event.occurredAt()) > horizonMillis) {
        continue;
      }
      if (stored.contentHash().equals(event.contentHash())) {
        represented |= cell.isBand() ? Arrays.equals(stored.bands(), event.bands()) : stored.sameCells(event.cells());
        continue;
      }
      comparisons++;
      boolean texts = lexical.applies(stored.lexical(), event.lexical());
      float jaccard = texts ? LexicalSignature.jaccard(stored.lexical(), event.lexical()) : Float.NaN;
      float similarity;
      boolean near;
      boolean decides;
      boolean flooding;
      if (cell.isBand()) {
        similarity = Float.NaN;
        near = texts && jaccard >= lexical.jaccard();
        decides = stored.decisionBand(event.cells(), event.bands()) == cell.band();
        // A text near a stored one adds nothing to the bucket (its representative).
        flooding = near;
      } else {
        similarity = stored.vector().cosine(unitVector);
        near = texts ? lexical.nearTexts(similarity, threshold, jaccard) : similarity >= threshold;
        decides = stored.decisionCell(event.cells()) == cell.cell();
        flooding = near && stored.sameCells(event.cells())
            && (similarity >= flood || (texts && jaccard >= lexical.jaccard()));
      }
      if (!near) {
        continue;
      }
      if (decides) {
        represented = true;
        Match match = new Match(stored.eventId(), similarity, jaccard, stored.occurredAt());
        if (best == null || closer(match, best)) {
          best = match;
        }
      } else if (flooding) {
        represented = true;
      }
    }
    return new Scan(best, represented);
  }

  /** Higher cosine, then higher Jaccard, then the smaller id. */
  static boolean closer(Match a, Match b) {
    int bySimilarity = Float.compare(orLowest(a.similarity()), orLowest(b.similarity()));
    if (bySimilarity != 0) {
      return bySimilarity > 0;
    }
    int byJaccard = Float.compare(orLowest(a.jaccard()), orLowest(b.jaccard()));
    return byJaccard != 0 ? byJaccard > 0 : a.eventId().compareTo(b.eventId()) < 0;
  }

  private static float orLowest(float value) {
    return Float.isNaN(value) ? Float.NEGATIVE_INFINITY : value;
  }

  /** Puts back an event read from the durable store into one cell. */
  public void restore(CellKey cell, IndexedItem item) {
    cells.computeIfAbsent(cell, k -> new CellTables()).add(item, signature(cell, item));
  }

  /**
   * Puts back an event read from the durable store into each of {@code stored} (the cells and band
   * buckets it was stored in), as one item in its cells and one without its vector in its band
   * buckets, as {@code probeAndInsert} stores it; its bucket signature (140 projections of the
   * vector, most of a rebuild's work) is computed once.
   */
  public void restore(IndexedItem item, List<CellKey> stored) {
    IndexedItem withoutVector = null;
    for (CellKey cell : stored) {
      if (cell.isBand()) {
        withoutVector = withoutVector == null ? item.withoutVector() : withoutVector;
        restore(cell, withoutVector);
      } else {
        restore(cell, item);
      }
    }
  }

  /** A copy of an event in the index: which cell or band bucket it is in. */
  public record Entry(CellKey cell, String eventId) {}

  /** Removes every event whose timestamp is before {@code cutoff}; returns the removed copies. */
  public List<Entry> purgeBefore(long cutoff) {
    List<Entry> removed = new ArrayList<>();
    for (var cell = cells.entrySet().iterator(); cell.hasNext(); ) {
      var entry = cell.next();
      for (IndexedItem item : entry.getValue().removeIf(item -> item.timestamp() < cutoff)) {
        removed.add(new Entry(entry.getKey(), item.eventId()));
      }
      if (entry.getValue().size() == 0) {
        cell.remove();
      }
    }
    return removed;
  }

  /**
   * The {@code k} stored events of this task most similar to {@code unitVector} in the scope and
   * space, most similar first, by an exhaustive scan of the local cells (the other cells of the
   * scope live in other tasks; a query across instances merges their answers).
   */
  public List<Neighbour> nearest(String scope, String space, float[] unitVector, int k) {
    PriorityQueue<Neighbour> top = new PriorityQueue<>(Comparator.comparingDouble(Neighbour::similarity));
    Set<String> seen = new HashSet<>();
    cells.forEach((cell, tables) -> {
      if (cell.isBand() || !cell.scope().equals(scope) || !cell.space().equals(space)) {
        return;
      }
      for (IndexedItem item : tables.items()) {
        if (seen.add(item.eventId())) {
          top.add(new Neighbour(item, item.vector().cosine(unitVector)));
          if (top.size() > k) {
            top.poll();
          }
        }
      }
    });
    List<Neighbour> result = new ArrayList<>(top);
    result.sort(Comparator.comparingDouble(Neighbour::similarity).reversed());
    return result;
  }

  /** Stored copies in one cell. */
  public int size(CellKey cell) {
    CellTables tables = cells.get(cell);
    return tables == null ? 0 : tables.size();
  }

  /** Stored copies in all cells of this index. */
  public long size() {
    return cells.values().stream().mapToLong(CellTables::size).sum();
  }

  /** Vector comparisons made so far (the per-event work that floods must not grow). */
  public long comparisons() {
    return comparisons;
  }
}
