package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.DoubleToIntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The decision-cell rule: however the cell visits of two near duplicates interleave (as when they
 * arrive at the same moment on different partitions), exactly one of them is matched to the other.
 */
class NearDupIndexTest {

  private static final long HOUR = 3_600_000L;
  private final Vectors vectors = new Vectors(7, 64);

  @Test
  void everyInterleavingOfTwoEventsSharingBothCellsFlagsExactlyOne() {
    checkAllInterleavings(new int[] {3, 7}, new int[] {7, 3});
  }

  @Test
  void everyInterleavingOfTwoEventsSharingOneCellFlagsExactlyOne() {
    checkAllInterleavings(new int[] {3, 7}, new int[] {7, 12});
  }

  @Test
  void eventsSharingNoCellAreNotCompared() {
    float[] v = vectors.random();
    NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
    IndexedItem a = item("a", v, new int[] {1, 2});
    IndexedItem b = item("b", vectors.at(v, 0.99), new int[] {4, 5});
    for (int cell : a.cells()) {
      index.probeAndInsert(key(cell), a, v);
    }
    for (int cell : b.cells()) {
      assertThat(index.probeAndInsert(key(cell), b, b.vector().toFloats()).match()).isNull();
    }
    assertThat(index.comparisons()).isZero();
  }

  @Test
  void perEventWorkStaysBoundedUnderAFlood() {
    float[] center = vectors.random();
    NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
    SimHash hash = new SimHash(4, 64, 1L, "space");
    int flood = 5_000;
    long before = 0;
    long maxPerEvent = 0;
    for (int i = 0; i < flood; i++) {
      float[] v = vectors.at(center, 0.995);
      IndexedItem event = item("spam-" + i, v, hash.cells(v));
      for (int cell : event.cells()) {
        index.probeAndInsert(key(cell), event, v);
      }
      maxPerEvent = Math.max(maxPerEvent, index.comparisons() - before);
      before = index.comparisons();
    }
    assertThat(index.size()).isLessThanOrEqualTo(8);
    assertThat(maxPerEvent).isLessThanOrEqualTo(8);
  }

  private static final int LARGE_CELL = 20_000;

  @Test
  void aLargeCellFindsNearNeighboursWhileComparingAFewPercentOfIt() {
    LargeCellRun run = largeCellRun(0.9, 0.95);
    assertThat(run.found()).isGreaterThanOrEqualTo(98);
    assertThat(run.comparisonsPerQuery()).isLessThan(LARGE_CELL / 20);
  }

  @Test
  void theSketchBoundKeepsPairsAtTheThresholdAndDropsUnrelatedVectors() {
    assertBoundSieves(3L, CellTables::maxDistance, (a, b) -> IntStream.of(CellTables.distance(a, 0, b)), 0.01, 0.01);
  }

  @Test
  void theDigestBoundKeepsPairsAtTheThresholdInEveryTableAndDropsMostUnrelatedVectors() {
    // 64 bits filter less than the whole sketch (~22 % kept at 0.85, well under 1 % at 0.95): a
    // first sieve, the sketch comes next
    assertBoundSieves(5L, CellTables::maxDigestDistance, (a, b) -> IntStream.range(0, CellTables.TABLES)
        .map(t -> Long.bitCount(CellTables.digest(a, 0, t) ^ CellTables.digest(b, 0, t))), 0.3, 0.1);
  }

  /**
   * 5,000 pairs at the threshold (0.85 and 0.95) and 5,000 unrelated pairs: no distance of the
   * first beyond the bound, and at most the given share of the second's within it.
   */
  private void assertBoundSieves(long seed, DoubleToIntFunction bound, BiFunction<int[], int[], IntStream> distances,
      double unrelatedKeptAt085, double unrelatedKeptAt095) {
    SimHash planes = new SimHash(CellTables.SKETCH_BITS, 64, seed, "space");
    for (double threshold : new double[] {0.85, 0.95}) {
      int maxDistance = bound.applyAsInt(threshold);
      long pairsSkipped = 0;
      long unrelatedKept = 0;
      long checks = 0;
      for (int i = 0; i < 5_000; i++) {
        float[] v = vectors.random();
        int[] sketch = CellTables.signatures(planes, v);
        pairsSkipped += distances.apply(sketch, CellTables.signatures(planes, vectors.at(v, threshold)))
            .filter(d -> d > maxDistance).count();
        int[] unrelated = CellTables.signatures(planes, vectors.random());
        checks += distances.apply(sketch, unrelated).count();
        unrelatedKept += distances.apply(sketch, unrelated).filter(d -> d <= maxDistance).count();
      }
      assertThat(pairsSkipped).as("pairs at %s skipped", threshold).isZero();
      assertThat((double) unrelatedKept / checks).as("share of unrelated pairs kept at %s", threshold)
          .isLessThan(threshold < 0.9 ? unrelatedKeptAt085 : unrelatedKeptAt095);
    }
  }

  @Test
  void theBoundsAreWhereTheBinomialTailOfAPairAtTheThresholdFallsBelowTheSkipProbability() {
    for (double threshold : new double[] {0.5, 0.85, 0.9, 0.95, 0.98, 0.995}) {
      double p = Math.acos(threshold) / Math.PI;
      for (int bits : new int[] {CellTables.DIGEST_BITS, CellTables.SKETCH_BITS}) {
        int bound = CellTables.binomialBound(p, bits);
        assertThat(upperTail(p, bits, bound)).as("P(X > %d), %d bits at %s", bound, bits, threshold)
            .isLessThanOrEqualTo(CellTables.SKIP_PROBABILITY);
        assertThat(upperTail(p, bits, bound - 1)).as("P(X > %d), %d bits at %s", bound - 1, bits, threshold)
            .isGreaterThan(CellTables.SKIP_PROBABILITY);
      }
    }
    assertThat(CellTables.binomialBound(0, 140)).isZero();
    assertThat(CellTables.binomialBound(0.5, 140)).isEqualTo(140);
  }

  /** P(X > k) for X ~ Binomial(n, p), summed term by term with exact binomial coefficients. */
  private static double upperTail(double p, int n, int k) {
    double tail = 0;
    java.math.BigInteger choose = java.math.BigInteger.ONE;
    for (int x = 0; x <= n; x++) {
      if (x > 0) {
        choose = choose.multiply(java.math.BigInteger.valueOf(n - x + 1)).divide(java.math.BigInteger.valueOf(x));
      }
      if (x > k) {
        tail += choose.doubleValue() * Math.pow(p, x) * Math.pow(1 - p, n - x);
      }
    }
    return tail;
  }

  @Test
  void aLargeCellVerifiesOnlyCandidatesWhoseSketchCanReachTheThreshold() {
    LargeCellRun run = largeCellRun(0.85, 0.9);
    assertThat(run.found()).isGreaterThanOrEqualTo(97);
    // the buckets hold ~900 candidates per query (one per bucket visit); verified are the original
    // and the few unrelated vectors whose sketch happens to be close (64 dimensions spread wide)
    assertThat(run.comparisonsPerQuery()).isLessThan(40);
  }

  private record LargeCellRun(int found, double comparisonsPerQuery) {}

  /**
   * A cell of {@value #LARGE_CELL} random vectors probed by 100 queries, each at {@code cosine} to
   * an original stored just before it: how many found their original, and the cosines computed.
   */
  private LargeCellRun largeCellRun(double threshold, double cosine) {
    NearDupIndex index = new NearDupIndex(threshold, 0.98, HOUR);
    for (int i = 0; i < LARGE_CELL; i++) {
      index.restore(key(1), item("s" + i, vectors.random(), new int[] {1, 2}));
    }
    int found = 0;
    int queries = 100;
    long before = index.comparisons();
    for (int q = 0; q < queries; q++) {
      float[] original = vectors.random();
      index.restore(key(1), item("o" + q, original, new int[] {1, 2}));
      float[] query = vectors.at(original, cosine);
      var match = index.probe(key(1), item("q" + q, query, new int[] {1, 2}), query);
      if (match != null && match.eventId().equals("o" + q)) {
        found++;
      }
    }
    return new LargeCellRun(found, (index.comparisons() - before) / (double) queries);
  }

  @Test
  void copiesRestoredFromTheStoreAreFoundInEachOfTheirCells() {
    NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
    // Large enough cells that a probe looks only in its buckets, which the shared signature decides.
    for (int i = 0; i < 2 * CellTables.SCAN_ALL_BELOW; i++) {
      index.restore(item("s" + i, vectors.random(), new int[] {1, 2}), List.of(key(1), key(2)));
    }
    float[] original = vectors.random();
    index.restore(item("original", original, new int[] {1, 2}), List.of(key(1), key(2)));
    float[] query = vectors.at(original, 0.97);
    // Queries that share only one cell with the stored copies, so that each cell decides its own.
    assertThat(index.probe(key(1), item("q1", query, new int[] {1, 3}), query).eventId()).isEqualTo("original");
    assertThat(index.probe(key(2), item("q2", query, new int[] {2, 3}), query).eventId()).isEqualTo("original");
    assertThat(index.size()).isEqualTo(2 * (2 * CellTables.SCAN_ALL_BELOW + 1));
  }

  @Test
  void aTextRestoredIntoItsCellsAndBandBucketsIsFoundInEachAsItWasStored() {
    NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
    Texts texts = new Texts(21);
    String original = texts.message(30);
    float[] v = vectors.random();
    Probe stored = textProbe("original", v, new int[] {1, 2}, original);
    List<CellKey> where = routes(stored).stream().map(Visit::key).toList();

    index.restore(stored.toRoute(1).item(0), where);

    assertThat(index.size()).isEqualTo(2 + LexicalBands.BANDS);
    assertThat(where).allSatisfy(cell -> assertThat(index.size(cell)).isEqualTo(1));
    // A near vector in a cell it shares; an edited copy with the opposite vector in its decision band.
    float[] near = vectors.at(v, 0.97);
    assertThat(index.probe(key(2), item("q", near, new int[] {2, 3}), near).eventId()).isEqualTo("original");
    float[] opposite = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      opposite[i] = -v[i];
    }
    Probe copy = textProbe("copy", opposite, new int[] {5, 6}, Texts.edited(original));
    int band = stored.item(0).decisionBand(copy.cells(), copy.bands());
    assertThat(band).isNotNegative();
    Probe inBand = copy.toRoute(Probe.bandRoute(band));
    NearDupIndex.Match match = index.probe(inBand.cellKey(), inBand.item(0), inBand.vector());
    assertThat(match.eventId()).isEqualTo("original");
    assertThat(match.similarity()).as("a band bucket holds no vector").isNaN();
    // Purged together: every copy of the event leaves at once.
    assertThat(index.purgeBefore(1)).hasSize(2 + LexicalBands.BANDS)
        .allSatisfy(entry -> assertThat(entry.eventId()).isEqualTo("original"));
    assertThat(index.size()).isZero();
  }

  @Test
  void aLargeCellFindsATextsEditedCopyWhoseVectorIsFar() {
    NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
    Texts texts = new Texts(11);
    for (int i = 0; i < 2_000; i++) {
      index.restore(key(1), textItem("s" + i, vectors.random(), new int[] {1, 2}, texts.message(30)));
    }
    String original = texts.message(30);
    float[] v = vectors.random();
    index.restore(key(1), textItem("original", v, new int[] {1, 2}, original));
    float[] far = vectors.at(v, 0.3);
    var match = index.probe(key(1), textItem("copy", far, new int[] {1, 2}, Texts.edited(original)), far);
    assertThat(match.eventId()).isEqualTo("original");
    assertThat((double) match.similarity()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.02));
  }

  @Test
  void everyInterleavingOfTwoTextsMeetingOnlyInBandBucketsFlagsExactlyOne() {
    Texts texts = new Texts(12);
    String original = texts.message(30);
    float[] va = vectors.random();
    float[] vb = vectors.random();
    Probe a = textProbe("a", va, new int[] {1, 2}, original);
    Probe b = textProbe("b", vb, new int[] {5, 6}, Texts.edited(original));
    List<Visit> visitsA = routes(a);
    List<Visit> visitsB = routes(b);
    int decision = a.item(0).decisionBand(b.cells(), b.bands());
    assertThat(decision).as("the two share a band").isGreaterThanOrEqualTo(0);
    java.util.Random random = new java.util.Random(5);
    for (int trial = 0; trial < 300; trial++) {
      // Each event visits its routes in order; the two sequences interleave at random.
      List<Visit> order = new ArrayList<>();
      int i = 0;
      int j = 0;
      while (i < visitsA.size() || j < visitsB.size()) {
        boolean takeA = j == visitsB.size() || (i < visitsA.size() && random.nextBoolean());
        order.add(takeA ? visitsA.get(i++) : visitsB.get(j++));
      }
      NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
      Map<String, String> matchedTo = new TreeMap<>();
      for (Visit visit : order) {
        var probe = index.probeAndInsert(visit.key, visit.item, visit.vector);
        if (probe.match() != null) {
          matchedTo.put(visit.item.eventId(), probe.match().eventId());
        }
      }
      String first = order.stream().filter(v -> v.key.band() == decision).findFirst().orElseThrow().item.eventId();
      assertThat(matchedTo).as("order %s", order).containsExactly(Map.entry(first.equals("a") ? "b" : "a", first));
    }
  }

  @Test
  void aFloodOfNearIdenticalTextsKeepsBandBucketsSmall() {
    NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
    String spam = new Texts(13).message(40);
    long before = 0;
    long maxPerEvent = 0;
    int flood = 2_000;
    for (int i = 0; i < flood; i++) {
      // Every copy is far in vector space (random cells) but almost the same text.
      Probe event = textProbe("spam-" + i, vectors.random(), new int[] {i % 16, 16 + i % 16}, spam + " id" + i);
      for (Visit visit : routes(event)) {
        index.probeAndInsert(visit.key, visit.item, visit.vector);
      }
      maxPerEvent = Math.max(maxPerEvent, index.comparisons() - before);
      before = index.comparisons();
    }
    long bandCopies = index.size() - countCellCopies(index);
    // Each cell pair keeps one representative; a band bucket takes a copy only when its band value
    // is new (the copy's own extra words), not the 16 per event a text costs otherwise.
    assertThat(countCellCopies(index)).isEqualTo(32);
    assertThat(bandCopies).isLessThan(flood);
    // Work per event: a representative or two per cell, a few per bucket, not the wave.
    assertThat(maxPerEvent).isLessThanOrEqualTo(2 * LexicalBands.BANDS + 4);
  }

  @Test
  void nearestReturnsTheKMostSimilarStoredEventsOfTheScope() {
    float[] v = vectors.random();
    NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
    Map<String, float[]> stored = new TreeMap<>(Map.of(
        "x", vectors.at(v, 0.8), "y", vectors.at(v, 0.5), "z", vectors.at(v, 0.3)));
    stored.forEach((id, vector) -> index.restore(key(1), item(id, vector, new int[] {1, 2})));
    index.restore(new CellKey("other", "space", 1), item("w", v, new int[] {1, 2}));

    var nearest = index.nearest("scope", "space", v, 2);
    assertThat(nearest).extracting(n -> n.item().eventId()).containsExactly("x", "y");
    assertThat((double) nearest.get(0).similarity()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void eachModelSpaceIsMatchedAtItsOwnThreshold() {
    SpaceThresholds thresholds = SpaceThresholds.parse(0.9,
        List.of("local/all-MiniLM-L6-v2-q=0.85", "gemini/gemini-embedding-2=0.95"));
    Map<String, Boolean> matchedAt92 = new TreeMap<>();
    Map<String, Boolean> matchedAt87 = new TreeMap<>();
    for (String space : List.of("local/all-MiniLM-L6-v2-q/384/", "gemini/gemini-embedding-2/768/task",
        "other/model/64/")) {
      matchedAt92.put(space, pairMatches(thresholds, space, 0.92));
      matchedAt87.put(space, pairMatches(thresholds, space, 0.87));
    }
    assertThat(matchedAt92).containsExactlyInAnyOrderEntriesOf(Map.of(
        "local/all-MiniLM-L6-v2-q/384/", true, "gemini/gemini-embedding-2/768/task", false, "other/model/64/", true));
    assertThat(matchedAt87).containsExactlyInAnyOrderEntriesOf(Map.of(
        "local/all-MiniLM-L6-v2-q/384/", true, "gemini/gemini-embedding-2/768/task", false, "other/model/64/", false));
  }

  /** Whether the second of two events at {@code cosine}, stored in one cell of {@code space}, is matched to the first. */
  private boolean pairMatches(SpaceThresholds thresholds, String space, double cosine) {
    NearDupIndex index = new NearDupIndex(thresholds, LexicalRule.DEFAULTS, 0.98, HOUR);
    CellKey cell = new CellKey("scope", space, 1);
    float[] va = vectors.random();
    float[] vb = vectors.at(va, cosine);
    index.probeAndInsert(cell, item("a", va, new int[] {1}), va);
    var probe = index.probeAndInsert(cell, item("b", vb, new int[] {1}), vb);
    return probe.match() != null && probe.match().eventId().equals("a");
  }

  private void checkAllInterleavings(int[] cellsA, int[] cellsB) {
    float[] va = vectors.random();
    float[] vb = vectors.at(va, 0.95);
    IndexedItem a = item("a", va, cellsA);
    IndexedItem b = item("b", vb, cellsB);
    // Each event visits its cells in its own order; the two sequences interleave arbitrarily.
    for (List<Visit> order : interleavings(visits(a, va), visits(b, vb))) {
      NearDupIndex index = new NearDupIndex(0.9, 0.98, HOUR);
      Map<String, String> matchedTo = new TreeMap<>();
      for (Visit visit : order) {
        var probe = index.probeAndInsert(visit.key, visit.item, visit.vector);
        if (probe.match() != null) {
          matchedTo.put(visit.item.eventId(), probe.match().eventId());
        }
      }
      assertThat(matchedTo).as("interleaving %s", order).hasSize(1);
      String first = order.stream().filter(v -> v.cell() == decisionCell(cellsA, cellsB)).findFirst().orElseThrow().item.eventId();
      assertThat(matchedTo.values()).as("interleaving %s", order).containsExactly(first);
    }
  }

  private static int decisionCell(int[] a, int[] b) {
    return new IndexedItem("", 0, 0, "", a, null).decisionCell(b);
  }

  private record Visit(IndexedItem item, float[] vector, CellKey key) {
    Visit(IndexedItem item, float[] vector, int cell) {
      this(item, vector, NearDupIndexTest.key(cell));
    }

    int cell() {
      return key.cell();
    }

    @Override
    public String toString() {
      return item.eventId() + "@" + (key.isBand() ? "band" + key.band() : key.cell());
    }
  }

  private static List<Visit> visits(IndexedItem item, float[] vector) {
    List<Visit> visits = new ArrayList<>();
    for (int cell : item.cells()) {
      visits.add(new Visit(item, vector, cell));
    }
    return visits;
  }

  /** A text's visits as the scatter sends them: its cells, then its band buckets. */
  private static List<Visit> routes(Probe probe) {
    List<Visit> visits = new ArrayList<>();
    for (int cell : probe.cells()) {
      Probe routed = probe.toRoute(cell);
      visits.add(new Visit(routed.item(0), probe.vector(), routed.cellKey()));
    }
    for (int band = 0; band < probe.bands().length; band++) {
      Probe routed = probe.toRoute(Probe.bandRoute(band));
      visits.add(new Visit(routed.item(0), probe.vector(), routed.cellKey()));
    }
    return visits;
  }

  private static Probe textProbe(String id, float[] vector, int[] cells, String text) {
    int[] signature = dev.sieve.embed.LexicalSignature.of(text);
    return new Probe(id, "scope", "space", 0L, "hash-" + id, vector, cells, LexicalBands.stored(signature),
        LexicalBands.of(signature), Probe.EXACT_ROUTE);
  }

  private static IndexedItem textItem(String id, float[] vector, int[] cells, String text) {
    Probe probe = textProbe(id, vector, cells, text).toRoute(cells[0]);
    return probe.item(0);
  }

  private static long countCellCopies(NearDupIndex index) {
    long copies = 0;
    for (int cell = 0; cell < 32; cell++) {
      copies += index.size(key(cell));
    }
    return copies;
  }

  private static List<List<Visit>> interleavings(List<Visit> x, List<Visit> y) {
    List<List<Visit>> result = new ArrayList<>();
    if (x.isEmpty() || y.isEmpty()) {
      List<Visit> rest = new ArrayList<>(x);
      rest.addAll(y);
      result.add(rest);
      return result;
    }
    for (List<Visit> tail : interleavings(x.subList(1, x.size()), y)) {
      tail.add(0, x.get(0));
      result.add(tail);
    }
    for (List<Visit> tail : interleavings(x, y.subList(1, y.size()))) {
      tail.add(0, y.get(0));
      result.add(tail);
    }
    return result;
  }

  private static CellKey key(int cell) {
    return new CellKey("scope", "space", cell);
  }

  private static IndexedItem item(String id, float[] vector, int[] cells) {
    return new IndexedItem(id, 0L, 0L, "hash-" + id, cells, QuantizedVector.of(vector));
  }
}
