package dev.sieve.dedup;

import dev.sieve.embed.LexicalSignature;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code sieve bench dedup}: the near-duplicate index against exact brute force on synthetic
 * vectors, in one run.
 *
 * <p>Stored: {@code stored} random unit vectors, a tenth of them in planted clusters (a base and
 * one to three members at cosine 0.90–0.99 to it), loaded into the index as a task rebuilds it
 * (one stored record per event decoded and put in both its cells, int8). Queries: new events, half near duplicates of a stored vector at cosine
 * 0.85–0.99 (0.85 is the default threshold), half random. For each threshold and each routing width, a query's NEAR flag (probe
 * of its two cells) is compared with the truth from a brute-force float scan of every stored
 * vector, timed in the same run. Baseline: an index partitioned by event id over 4 partitions,
 * where a query only meets the stored vectors of its own partition.
 */
public final class DedupBenchmark {
  /** Texts restored to measure the heap a stored text takes. */
  private static final int TEXTS_FOR_HEAP = 100_000;

  private static final double[] THRESHOLDS = {0.85, 0.90, 0.95, 0.98};
  /** Index partitions the stored bytes per event are averaged over: {@code sieve.topics.partitions}' default. */
  private static final int STORE_PARTITIONS =
      (Integer) dev.sieve.config.SieveConfig.DEFINITION.defaultValues().get(dev.sieve.config.SieveConfig.TOPICS_PARTITIONS);
  private static final int SIZE_SAMPLES = 1_000;

  private final int stored;
  private final int dimensions;
  private final int queries;
  private final int[] bitOptions;
  private final long seed;

  public DedupBenchmark(int stored, int dimensions, int queries, int[] bitOptions, long seed) {
    this.stored = stored;
    this.dimensions = dimensions;
    this.queries = queries;
    this.bitOptions = bitOptions;
    this.seed = seed;
  }

  /**
   * Runs everything, prints the figures and, last, one line of JSON with all of them and with
   * {@code measuredBefore} (figures printed before, by name).
   */
  public Map<String, Object> run(PrintStream out, Map<String, Object> measuredBefore) {
    Map<String, Object> json = new LinkedHashMap<>(measuredBefore);
    SplittableRandom random = new SplittableRandom(seed);
    out.printf(Locale.ROOT, "Generating %,d stored %d-dim vectors (10%% in planted clusters) and %,d queries%n",
        stored, dimensions, queries);
    float[][] vectors = new float[stored][];
    int i = 0;
    while (i < stored) {
      float[] base = randomUnit(random);
      vectors[i++] = base;
      if (random.nextDouble() < 0.04) {
        int members = 1 + random.nextInt(3);
        for (int m = 0; m < members && i < stored; m++) {
          vectors[i++] = at(random, base, 0.90 + 0.09 * random.nextDouble());
        }
      }
    }
    QuantizedVector[] quantized = new QuantizedVector[stored];
    for (int k = 0; k < stored; k++) {
      quantized[k] = QuantizedVector.of(vectors[k]);
    }
    float[][] queryVectors = new float[queries][];
    for (int q = 0; q < queries; q++) {
      queryVectors[q] = q % 2 == 0
          ? at(random, vectors[random.nextInt(stored)], 0.85 + 0.14 * random.nextDouble())
          : randomUnit(random);
    }
    json.put("stored", stored);
    json.put("dimensions", dimensions);
    json.put("queries", queries);

    // Truth: brute force over every stored float vector, timed.
    float[] bestTrue = new float[queries];
    int[] bestTrueIndex = new int[queries];
    List<List<int[]>> matchesByThreshold = new ArrayList<>();
    double maxQuantError = 0;
    long bruteNanos = 0;
    for (int q = 0; q < queries; q++) {
      float[] query = queryVectors[q];
      long start = System.nanoTime();
      float best = -2;
      int bestIndex = -1;
      for (int k = 0; k < stored; k++) {
        float s = dot(query, vectors[k]);
        if (s > best) {
          best = s;
          bestIndex = k;
        }
      }
      bruteNanos += System.nanoTime() - start;
      bestTrue[q] = best;
      bestTrueIndex[q] = bestIndex;
      maxQuantError = Math.max(maxQuantError, Math.abs(quantized[bestIndex].cosine(query) - best));
    }
    double bruteMicros = bruteNanos / 1e3 / queries;
    out.printf(Locale.ROOT, "Brute force (float, one core): %.0f µs per event%n", bruteMicros);
    out.printf(Locale.ROOT, "int8 cosine error vs float on best matches: max %.5f%n", maxQuantError);
    json.put("bruteForceMicrosPerEvent", round(bruteMicros));
    json.put("int8MaxCosineError", maxQuantError);

    String space = "bench/synthetic/" + dimensions;
    int exactBytes = DedupCodec.firstSeen(new DedupCodec.FirstSeen("event-0000000", 0, 0)).length + 1 + 64;
    SplittableRandom samples = new SplittableRandom(seed);
    double oneRecord = storedBytes(space, quantized[0], false, 1, samples);
    double storePartitions = storedBytes(space, quantized[0], false, STORE_PARTITIONS, samples);
    out.printf(Locale.ROOT, "Bytes per stored event (one record per index partition of its cells, the event once, + exact "
        + "entry %d B; before RocksDB compression): %.0f with both cells in one partition, %.0f on average over %d "
        + "partitions%n", exactBytes, oneRecord, storePartitions, STORE_PARTITIONS);
    json.put("bytesPerStoredEvent", Math.round(storePartitions));
    json.put("bytesPerStoredEventOnePartition", Math.round(oneRecord));
    double textOneRecord = storedBytes(space, quantized[0], true, 1, samples);
    double textStorePartitions = storedBytes(space, quantized[0], true, STORE_PARTITIONS, samples);
    out.printf(Locale.ROOT, "Bytes per stored text with the lexical signal (its %d-value signature of 16 bits and %d "
        + "bands once per record, + exact entry): %.0f in one partition, %.0f on average over %d partitions%n",
        LexicalSignature.LENGTH, LexicalBands.BANDS, textOneRecord, textStorePartitions, STORE_PARTITIONS);
    json.put("bytesPerStoredText", Math.round(textStorePartitions));
    json.put("bytesPerStoredTextOnePartition", Math.round(textOneRecord));
    json.put("storePartitions", STORE_PARTITIONS);

    List<Map<String, Object>> runs = new ArrayList<>();
    for (int bits : bitOptions) {
      SimHash hash = new SimHash(bits, dimensions, seed, space);
      int[][] cells = new int[stored][];
      for (int k = 0; k < stored; k++) {
        cells[k] = hash.cells(vectors[k]);
      }
      long heapBefore = liveHeap();
      NearDupIndex index = new NearDupIndex(0.9, 1.0, Long.MAX_VALUE / 4);
      long rebuildNanos = restore(index, space, cells, quantized);
      double rebuildMicros = rebuildNanos / 1e3 / stored;
      long heapPerEvent = (liveHeap() - heapBefore) / stored;
      out.printf(Locale.ROOT, "bits=%2d heap of the in-memory index: %d B per stored event (in both its cells)%n",
          bits, heapPerEvent);
      long heapPerText = heapPerText(space, hash, vectors, Math.min(stored, TEXTS_FOR_HEAP), seed);
      out.printf(Locale.ROOT, "bits=%2d heap per stored text: %d B (in both its cells, and in its %d band buckets "
          + "without its vector)%n", bits, heapPerText, LexicalBands.BANDS);
      out.printf(Locale.ROOT, "bits=%2d rebuild from the store (decode one record per event, restore it in both its "
          + "cells): %.1f µs per stored event, %.0f s per million%n", bits, rebuildMicros, rebuildMicros);
      for (double threshold : THRESHOLDS) {
        NearDupIndex probing = index.withThreshold(threshold);
        int truePositives = 0;
        int falsePositives = 0;
        int positives = 0;
        long nanos = 0;
        long comparisonsBefore = probing.comparisons();
        for (int q = 0; q < queries; q++) {
          float[] query = queryVectors[q];
          long start = System.nanoTime();
          int[] queryCells = hash.cells(query);
          NearDupIndex.Match best = null;
          for (int cell : queryCells) {
            NearDupIndex.Match match = probing.probe(new CellKey("", space, cell),
                new IndexedItem("q" + q, 0, 0, "q" + q, queryCells, QuantizedVector.of(query)), query);
            if (match != null && (best == null || match.similarity() > best.similarity())) {
              best = match;
            }
          }
          nanos += System.nanoTime() - start;
          boolean truth = bestTrue[q] >= threshold;
          positives += truth ? 1 : 0;
          if (best != null) {
            int k = Integer.parseInt(best.eventId().substring(1));
            if (dot(query, vectors[k]) >= threshold) {
              truePositives++;
            } else {
              falsePositives++;
            }
          }
        }
        double micros = nanos / 1e3 / queries;
        double recall = positives == 0 ? 1 : (double) truePositives / positives;
        double precision = truePositives + falsePositives == 0 ? 1 : (double) truePositives / (truePositives + falsePositives);
        double perEventComparisons = (double) (probing.comparisons() - comparisonsBefore) / queries;
        out.printf(Locale.ROOT,
            "bits=%2d threshold=%.2f  recall %.4f  precision %.4f  %.0f µs/event (%.1fx faster than brute force)  %.0f comparisons/event%n",
            bits, threshold, recall, precision, micros, bruteMicros / micros, perEventComparisons);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("bits", bits);
        run.put("threshold", threshold);
        run.put("recall", round(recall));
        run.put("precision", round(precision));
        run.put("microsPerEvent", round(micros));
        run.put("speedup", round(bruteMicros / micros));
        run.put("comparisonsPerEvent", round(perEventComparisons));
        run.put("rebuildMicrosPerStoredEvent", round(rebuildMicros));
        run.put("heapBytesPerStoredEvent", heapPerEvent);
        run.put("heapBytesPerStoredText", heapPerText);
        runs.add(run);
      }
    }
    json.put("index", runs);

    // Baseline: an index partitioned by event id over 4 partitions meets a query's original only
    // when both ids hash to the same partition.
    List<Map<String, Object>> baseline = new ArrayList<>();
    for (double threshold : THRESHOLDS) {
      int positives = 0;
      int found = 0;
      for (int q = 0; q < queries; q++) {
        if (bestTrue[q] >= threshold) {
          positives++;
          if (partition("q" + q) == partition("s" + bestTrueIndex[q])) {
            found++;
          }
        }
      }
      int missed = positives - found;
      out.printf(Locale.ROOT, "Baseline partitioned by event id (4 partitions), threshold %.2f: misses %d of %d near duplicates (recall %.4f)%n",
          threshold, missed, positives, positives == 0 ? 1.0 : (double) found / positives);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("threshold", threshold);
      row.put("nearDuplicates", positives);
      row.put("missed", missed);
      row.put("recall", round(positives == 0 ? 1.0 : (double) found / positives));
      baseline.add(row);
    }
    json.put("baselineByEventId4Partitions", baseline);
    out.println(toJson(json));
    return json;
  }

  /**
   * The bytes an event stored in all its routes takes in the stores, keys included, averaged over
   * {@value #SIZE_SAMPLES} events with random cells (and, for texts, signatures): one record per
   * index partition of its cells and band buckets, as the index writes them, and the exact entry.
   */
  private static double storedBytes(String space, QuantizedVector vector, boolean text, int partitions,
      SplittableRandom random) {
    long bytes = 0;
    for (int sample = 0; sample < SIZE_SAMPLES; sample++) {
      int home = random.nextInt(4);
      int[] cells = {home, (home + 1 + random.nextInt(3)) % 4};
      int[] signature = random.ints(LexicalSignature.LENGTH).toArray();
      int[] lexical = text ? LexicalBands.stored(signature) : new int[0];
      int[] bands = text ? LexicalBands.of(signature) : new int[0];
      Probe event = new Probe("event-0000000", "", space, 0, "0".repeat(64), vector.toFloats(), cells, lexical, bands,
          Probe.EXACT_ROUTE);
      for (ProbeGroup group : ProbeGroup.scatter(event, partitions)) {
        int[] stored = Arrays.stream(group.routes()).filter(route -> route != Probe.EXACT_ROUTE).toArray();
        if (stored.length > 0) {
          boolean cell = Arrays.stream(stored).anyMatch(route -> route >= 0);
          IndexedItem item = group.probe(cell ? cells[0] : Probe.bandRoute(0)).item(0);
          StoredEvent record = StoredEvent.of("", space, item, stored);
          bytes += DedupCodec.storedEvent(record).length + record.key().length();
        }
        if (group.routes()[0] == Probe.EXACT_ROUTE) {
          bytes += DedupCodec.firstSeen(new DedupCodec.FirstSeen(event.eventId(), 0, 0)).length + 1 + 64;
        }
      }
    }
    return (double) bytes / SIZE_SAMPLES;
  }

  /**
   * Loads the index as a task rebuilds it from its store: each stored event's record (both cells,
   * as when they are in one partition) decoded and restored. Returns the nanoseconds that took;
   * the records are garbage afterwards, as in the task.
   */
  private static long restore(NearDupIndex index, String space, int[][] cells, QuantizedVector[] quantized) {
    long nanos = 0;
    for (int k = 0; k < cells.length; k++) {
      IndexedItem item = new IndexedItem("s" + k, 0, 0, "s" + k, cells[k], quantized[k]);
      byte[] record = DedupCodec.storedEvent(StoredEvent.of("", space, item, cells[k]));
      long start = System.nanoTime();
      StoredEvent decoded = DedupCodec.storedEvent(record);
      StoredEvent.Placement placement = decoded.placements().get(0);
      index.restore(placement.item(), Arrays.stream(placement.routes())
          .mapToObj(route -> decoded.cell(placement.item(), route)).toList());
      nanos += System.nanoTime() - start;
    }
    return nanos;
  }

  /**
   * Live heap per stored text: the event in its two cells and, without its vector, in its {@link
   * LexicalBands#BANDS} band buckets, restored as a rebuild does; random signatures and band
   * values (texts that share none), its own vector and scope and space strings (as decoded per
   * record).
   */
  private static long heapPerText(String space, SimHash hash, float[][] vectors, int texts, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long before = liveHeap();
    NearDupIndex index = new NearDupIndex(0.9, 1.0, Long.MAX_VALUE / 4);
    for (int k = 0; k < texts; k++) {
      int[] lexical = random.ints(LexicalSignature.LENGTH, 0, 1 << 16).toArray();
      int[] bands = random.ints(LexicalBands.BANDS).toArray();
      int[] cells = hash.cells(vectors[k]);
      String scope = new String("");
      String ownSpace = new String(space);
      List<CellKey> routes = new ArrayList<>();
      for (int cell : cells) {
        routes.add(new CellKey(scope, ownSpace, cell));
      }
      for (int band = 0; band < bands.length; band++) {
        routes.add(new CellKey(scope, ownSpace, band, bands[band]));
      }
      // a vector of its own, as a decoded record has
      QuantizedVector vector = QuantizedVector.of(vectors[k]);
      index.restore(new IndexedItem("t" + k, 0, 0, "t" + k, cells, vector, lexical, bands), routes);
    }
    long perText = (liveHeap() - before) / texts;
    java.lang.ref.Reference.reachabilityFence(index);
    return perText;
  }

  /** Heap in use after collecting garbage (a full GC with the default collectors). */
  private static long liveHeap() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static int partition(String id) {
    return Math.floorMod(org.apache.kafka.common.utils.Utils.murmur2(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 4);
  }

  private float[] randomUnit(SplittableRandom random) {
    float[] v = new float[dimensions];
    double norm = 0;
    for (int d = 0; d < dimensions; d++) {
      double g = gaussian(random);
      v[d] = (float) g;
      norm += g * g;
    }
    scale(v, 1 / Math.sqrt(norm));
    return v;
  }

  private float[] at(SplittableRandom random, float[] base, double cosine) {
    float[] noise = randomUnit(random);
    double along = dot(noise, base);
    double norm = 0;
    for (int d = 0; d < dimensions; d++) {
      noise[d] -= (float) (along * base[d]);
      norm += (double) noise[d] * noise[d];
    }
    double across = Math.sqrt(1 - cosine * cosine) / Math.sqrt(norm);
    float[] v = new float[dimensions];
    for (int d = 0; d < dimensions; d++) {
      v[d] = (float) (cosine * base[d] + across * noise[d]);
    }
    return v;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; one value per call is enough here.
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private static void scale(float[] v, double factor) {
    for (int d = 0; d < v.length; d++) {
      v[d] *= (float) factor;
    }
  }

  private static float dot(float[] a, float[] b) {
    float sum = 0;
    for (int d = 0; d < a.length; d++) {
      sum += a[d] * b[d];
    }
    return sum;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  private static String toJson(Object value) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
