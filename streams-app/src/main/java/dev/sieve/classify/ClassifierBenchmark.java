package dev.sieve.classify;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.ModelSpace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Measures the classifier's scoring on one thread: the dimension-major {@link PrototypeIndex}
 * against the naive alternative measured in the same run, a loop over label objects each holding
 * its prototypes as contiguous vectors. Both compute every label's best score and the top label.
 */
public final class ClassifierBenchmark {

  /** Figures for one label count. */
  public record Result(int labels, int prototypes, double indexEventsPerSecond, double naiveEventsPerSecond,
      double classifyEventsPerSecond) {
    public double speedup() {
      return indexEventsPerSecond / naiveEventsPerSecond;
    }
  }

  /** The naive layout: one object per label, one contiguous array per prototype. */
  private record NaiveLabel(String id, float[][] prototypes) {}

  private static final int QUERIES = 1_024;

  private final int dimensions;
  private final int prototypesPerLabel;
  private final long measureNanos;
  private final Random random = new Random(42);
  /** Keeps results alive so the JIT cannot drop the work. */
  private double sink;

  public ClassifierBenchmark(int dimensions, int prototypesPerLabel, double secondsPerMeasurement) {
    this.dimensions = dimensions;
    this.prototypesPerLabel = prototypesPerLabel;
    this.measureNanos = (long) (secondsPerMeasurement * 1e9);
  }

  public Result run(int labelCount) {
    ModelSpace space = new ModelSpace("bench", "random", dimensions, "");
    List<PrototypeIndex.Label> labels = new ArrayList<>();
    List<NaiveLabel> naive = new ArrayList<>();
    for (int l = 0; l < labelCount; l++) {
      List<float[]> prototypes = new ArrayList<>();
      for (int p = 0; p < prototypesPerLabel; p++) {
        prototypes.add(unitVector());
      }
      labels.add(new PrototypeIndex.Label("label-" + l, LabelKind.CATEGORY, prototypes, 0.3f,
          Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, List.of(), List.of()));
      naive.add(new NaiveLabel("label-" + l, prototypes.toArray(float[][]::new)));
    }
    PrototypeIndex index = new PrototypeIndex(space, labels);
    float[][] queries = new float[QUERIES][];
    List<EmbeddedMedia> events = new ArrayList<>();
    for (int q = 0; q < QUERIES; q++) {
      queries[q] = unitVector();
      events.add(EmbeddedMedia.newBuilder().setId("e" + q).setOccurredAt(Instant.EPOCH).setSpace(space)
          .setVector(boxed(queries[q])).setContentHash("").setScope(null).setTruncated(false).build());
    }
    Classifier classifier = new Classifier(() -> new LabelSnapshot(Map.of(space, index)));

    // Warm-up once per variant, then measure.
    measure(i -> sink += top(index.labelScores(queries[i % QUERIES])));
    double indexed = measure(i -> sink += top(index.labelScores(queries[i % QUERIES])));
    measure(i -> sink += naiveTop(naive, queries[i % QUERIES]));
    double naiveRate = measure(i -> sink += naiveTop(naive, queries[i % QUERIES]));
    measure(i -> sink += classifier.classify(events.get(i % QUERIES)).category().getScore());
    double classify = measure(i -> sink += classifier.classify(events.get(i % QUERIES)).category().getScore());
    return new Result(labelCount, labelCount * prototypesPerLabel, indexed, naiveRate, classify);
  }

  private double measure(java.util.function.IntConsumer work) {
    long start = System.nanoTime();
    long end = start + measureNanos;
    int done = 0;
    long now;
    do {
      for (int i = 0; i < 64; i++) {
        work.accept(done++);
      }
      now = System.nanoTime();
    } while (now < end);
    return done * 1e9 / (now - start);
  }

  private static int top(float[] scores) {
    int best = 0;
    for (int l = 1; l < scores.length; l++) {
      if (scores[l] > scores[best]) {
        best = l;
      }
    }
    return best;
  }

  private static int naiveTop(List<NaiveLabel> labels, float[] query) {
    int best = -1;
    float bestScore = Float.NEGATIVE_INFINITY;
    for (int l = 0; l < labels.size(); l++) {
      for (float[] prototype : labels.get(l).prototypes()) {
        float dot = 0;
        for (int d = 0; d < query.length; d++) {
          dot += query[d] * prototype[d];
        }
        if (dot > bestScore) {
          bestScore = dot;
          best = l;
        }
      }
    }
    return best;
  }

  private float[] unitVector() {
    float[] vector = new float[dimensions];
    double norm = 0;
    for (int d = 0; d < dimensions; d++) {
      vector[d] = (float) random.nextGaussian();
      norm += vector[d] * vector[d];
    }
    for (int d = 0; d < dimensions; d++) {
      vector[d] /= (float) Math.sqrt(norm);
    }
    return vector;
  }

  private static List<Float> boxed(float[] vector) {
    List<Float> list = new ArrayList<>(vector.length);
    for (float v : vector) {
      list.add(v);
    }
    return list;
  }
}
