package dev.sieve.labels;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelExample;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaPart;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.UnembeddableContentException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import smile.clustering.KMeans;
import smile.math.MathEx;

/**
 * Turns a label definition into centroids in the provider's model space.
 *
 * <ul>
 *   <li>Prototypes: the L2-normalised mean of the positive examples. When a label has at least
 *       {@value #MIN_EXAMPLES_FOR_CLUSTERS} examples and they are spread out — k-means prototypes
 *       ({@code k = min(3, n/3)}, Smile) fit the examples at least {@value #MIN_CLUSTER_GAIN}
 *       better in mean cosine than the single mean — the k-means prototypes instead.
 *   <li>Zero-shot: a label with a description and no examples has the description's embedding as
 *       its one prototype.
 *   <li>Negative examples move the thresholds, not the prototypes: the highest similarity of a
 *       negative example to a prototype is the label's {@code negativeCeiling}, and every
 *       effective threshold is raised to at least {@code ceiling + }{@value #NEGATIVE_MARGIN}
 *       (capped at 1), so no negative example would be assigned or flagged.
 *   <li>Defaults: a category without threshold uses {@value #DEFAULT_CATEGORY_THRESHOLD}; a
 *       moderation label without REVIEW threshold reviews at its BLOCK threshold, one without
 *       BLOCK threshold never blocks.
 * </ul>
 */
public final class LabelCompiler {

  public static final float DEFAULT_CATEGORY_THRESHOLD = 0.30f;
  public static final float NEGATIVE_MARGIN = 0.02f;
  public static final int MIN_EXAMPLES_FOR_CLUSTERS = 6;
  public static final int MAX_PROTOTYPES = 3;
  public static final double MIN_CLUSTER_GAIN = 0.05;
  /** Example vectors kept per moderation label to name the nearest example of a hit. */
  public static final int MAX_STORED_EXAMPLES = 256;

  private final EmbeddingProvider provider;
  private final Clock clock;

  public LabelCompiler(EmbeddingProvider provider, Clock clock) {
    this.provider = provider;
    this.clock = clock;
  }

  public EmbeddingProvider provider() {
    return provider;
  }

  /**
   * @param version the definition's offset on the labels topic
   * @throws InvalidLabelException when the definition breaks a rule or an example cannot be embedded
   */
  public LabelCentroids compile(LabelDefinition label, long version) {
    List<LabelProblem> problems = LabelValidator.problems(label);
    if (!problems.isEmpty()) {
      throw new InvalidLabelException(InvalidLabelException.INVALID_LABEL, problems.get(0));
    }
    String id = label.getId();
    List<float[]> positives = label.getExamples().isEmpty()
        ? embed(id, "description", List.of(MediaPart.newBuilder().setText(label.getDescription()).build()))
        : embed(id, "examples", label.getExamples());
    List<float[]> prototypes = prototypes(positives);
    List<float[]> negatives = embed(id, "negatives", label.getNegativeExamples());
    Float ceiling = negatives.isEmpty() ? null : ceiling(negatives, prototypes);

    LabelCentroids.Builder centroids = LabelCentroids.newBuilder()
        .setLabelId(id)
        .setKind(label.getKind())
        .setSpace(provider.space())
        .setPrototypes(prototypes.stream().map(LabelCompiler::boxed).toList())
        .setEnabled(label.getEnabled())
        .setDefinitionHash(DefinitionHash.of(label))
        .setCompiledAt(clock.instant())
        .setVersion(version)
        .setNegativeCeiling(ceiling);
    if (label.getKind() == LabelKind.CATEGORY) {
      float threshold = label.getThreshold() != null ? label.getThreshold() : DEFAULT_CATEGORY_THRESHOLD;
      return centroids.setThreshold(above(threshold, ceiling)).setExamples(List.of()).build();
    }
    Float block = label.getBlockThreshold();
    float review = above(label.getReviewThreshold() != null ? label.getReviewThreshold() : block, ceiling);
    List<LabelExample> examples = new ArrayList<>();
    if (!label.getExamples().isEmpty()) {
      for (int i = 0; i < Math.min(MAX_STORED_EXAMPLES, positives.size()); i++) {
        examples.add(new LabelExample(id + "#" + (i + 1), boxed(positives.get(i))));
      }
    }
    return centroids.setReviewThreshold(review)
        .setBlockThreshold(block == null ? null : Math.max(review, above(block, ceiling)))
        .setExamples(examples)
        .build();
  }

  private List<float[]> embed(String label, String field, List<MediaPart> parts) {
    List<EmbeddingInput> inputs = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      try {
        inputs.add(provider.prepare(List.of(parts.get(i)), Map.of()));
      } catch (UnembeddableContentException e) {
        String where = field.equals("description") ? field : field + "[" + (i + 1) + "]";
        throw new InvalidLabelException(InvalidLabelException.UNEMBEDDABLE_EXAMPLE,
            new LabelProblem(label, where, e.reason() + ": " + e.getMessage()));
      }
    }
    List<float[]> vectors = new ArrayList<>();
    for (int from = 0; from < inputs.size(); from += provider.maxBatchSize()) {
      List<EmbeddingInput> batch = inputs.subList(from, Math.min(inputs.size(), from + provider.maxBatchSize()));
      for (Embedding embedding : provider.embed(batch)) {
        vectors.add(embedding.vector());
      }
    }
    return vectors;
  }

  /** One normalised mean, or k-means prototypes when they describe spread-out examples clearly better. */
  static List<float[]> prototypes(List<float[]> examples) {
    float[] mean = normalised(mean(examples));
    List<float[]> single = List.of(mean);
    int k = Math.min(MAX_PROTOTYPES, examples.size() / 3);
    if (examples.size() < MIN_EXAMPLES_FOR_CLUSTERS || k < 2) {
      return single;
    }
    double[][] data = examples.stream().map(LabelCompiler::toDouble).toArray(double[][]::new);
    KMeans clusters;
    // Smile seeds k-means++ from its shared generator: fix it so that a label compiles the same way twice.
    synchronized (MathEx.class) {
      MathEx.setSeed(19_650_218L);
      clusters = KMeans.fit(data, k);
    }
    List<float[]> centres = new ArrayList<>();
    for (int c = 0; c < clusters.k; c++) {
      if (clusters.size[c] > 0) {
        centres.add(normalised(toFloat(clusters.centroids[c])));
      }
    }
    return fit(examples, centres) - fit(examples, single) >= MIN_CLUSTER_GAIN ? centres : single;
  }

  /** Mean cosine of each example to its nearest prototype. */
  private static double fit(List<float[]> examples, List<float[]> prototypes) {
    double sum = 0;
    for (float[] example : examples) {
      sum += best(example, prototypes);
    }
    return sum / examples.size();
  }

  private static float ceiling(List<float[]> negatives, List<float[]> prototypes) {
    float ceiling = -1f;
    for (float[] negative : negatives) {
      ceiling = Math.max(ceiling, best(negative, prototypes));
    }
    return ceiling;
  }

  private static float above(float threshold, Float ceiling) {
    return ceiling == null ? threshold : Math.min(1f, Math.max(threshold, ceiling + NEGATIVE_MARGIN));
  }

  private static float best(float[] vector, List<float[]> prototypes) {
    float best = Float.NEGATIVE_INFINITY;
    for (float[] prototype : prototypes) {
      float dot = 0;
      for (int d = 0; d < vector.length; d++) {
        dot += vector[d] * prototype[d];
      }
      best = Math.max(best, dot);
    }
    return best;
  }

  private static float[] mean(List<float[]> vectors) {
    float[] sum = new float[vectors.get(0).length];
    for (float[] vector : vectors) {
      for (int d = 0; d < sum.length; d++) {
        sum[d] += vector[d];
      }
    }
    return sum;
  }

  static float[] normalised(float[] vector) {
    double norm = 0;
    for (float v : vector) {
      norm += v * v;
    }
    float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
    float[] unit = new float[vector.length];
    for (int d = 0; d < vector.length; d++) {
      unit[d] = vector[d] * scale;
    }
    return unit;
  }

  private static double[] toDouble(float[] vector) {
    double[] result = new double[vector.length];
    for (int d = 0; d < vector.length; d++) {
      result[d] = vector[d];
    }
    return result;
  }

  private static float[] toFloat(double[] vector) {
    float[] result = new float[vector.length];
    for (int d = 0; d < vector.length; d++) {
      result[d] = (float) vector[d];
    }
    return result;
  }

  static List<Float> boxed(float[] vector) {
    Float[] boxed = new Float[vector.length];
    for (int d = 0; d < vector.length; d++) {
      boxed[d] = vector[d];
    }
    return List.of(boxed);
  }
}
