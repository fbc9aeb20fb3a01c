package dev.sieve.classify;

import dev.sieve.avro.LabelKind;
import dev.sieve.avro.ModelSpace;
import java.util.Arrays;
import java.util.List;

/**
 * Every prototype of every enabled label of one model space, laid out for scoring one event
 * against all of them at once. Immutable: a label change builds a new index.
 *
 * <p>Prototypes are stored dimension-major ({@code byDimension[d][p]}), so that the score loop
 * {@code scores[p] += q[d] * byDimension[d][p]} runs over contiguous arrays and the JIT turns it
 * into SIMD instructions; a loop per prototype over one contiguous vector stays scalar on Java 17
 * (about 9× slower, see PLATFORM-FACTS "Ceilings").
 */
public final class PrototypeIndex {

  /** One label as the index needs it; {@code examples} only for moderation labels. */
  public record Label(String id, LabelKind kind, List<float[]> prototypes, float threshold,
      float review, float block, List<String> exampleIds, List<float[]> examples) {}

  private final int dimensions;
  private final float[][] byDimension;
  private final int[] labelOfPrototype;
  private final String[] ids;
  private final boolean[] moderation;
  private final float[] threshold;
  private final float[] review;
  private final float[] block;
  private final String[][] exampleIds;
  private final float[][][] examples;
  private final boolean hasCategories;
  private final boolean hasModeration;

  public PrototypeIndex(ModelSpace space, List<Label> labels) {
    this.dimensions = space.getDimensions();
    int count = labels.stream().mapToInt(l -> l.prototypes().size()).sum();
    this.byDimension = new float[dimensions][count];
    this.labelOfPrototype = new int[count];
    int n = labels.size();
    this.ids = new String[n];
    this.moderation = new boolean[n];
    this.threshold = new float[n];
    this.review = new float[n];
    this.block = new float[n];
    this.exampleIds = new String[n][];
    this.examples = new float[n][][];
    int p = 0;
    for (int l = 0; l < n; l++) {
      Label label = labels.get(l);
      ids[l] = label.id();
      moderation[l] = label.kind() == LabelKind.MODERATION;
      threshold[l] = label.threshold();
      review[l] = label.review();
      block[l] = label.block();
      exampleIds[l] = label.exampleIds().toArray(String[]::new);
      examples[l] = label.examples().toArray(float[][]::new);
      for (float[] prototype : label.prototypes()) {
        for (int d = 0; d < dimensions; d++) {
          byDimension[d][p] = prototype[d];
        }
        labelOfPrototype[p++] = l;
      }
    }
    this.hasCategories = labels.stream().anyMatch(l -> l.kind() == LabelKind.CATEGORY);
    this.hasModeration = labels.stream().anyMatch(l -> l.kind() == LabelKind.MODERATION);
  }

  /**
   * Each label's best cosine similarity to {@code vector} (an L2-normalised vector of this space):
   * the score of its nearest prototype.
   */
  public float[] labelScores(float[] vector) {
    int count = labelOfPrototype.length;
    float[] scores = new float[count];
    for (int d = 0; d < dimensions; d++) {
      float q = vector[d];
      float[] row = byDimension[d];
      for (int p = 0; p < count; p++) {
        scores[p] += q * row[p];
      }
    }
    float[] best = new float[ids.length];
    Arrays.fill(best, Float.NEGATIVE_INFINITY);
    for (int p = 0; p < count; p++) {
      int l = labelOfPrototype[p];
      if (scores[p] > best[l]) {
        best[l] = scores[p];
      }
    }
    return best;
  }

  String id(int label) {
    return ids[label];
  }

  boolean isModeration(int label) {
    return moderation[label];
  }

  float threshold(int label) {
    return threshold[label];
  }

  float review(int label) {
    return review[label];
  }

  float block(int label) {
    return block[label];
  }

  boolean hasCategories() {
    return hasCategories;
  }

  boolean hasModeration() {
    return hasModeration;
  }

  /** The id of the label's stored example closest to {@code vector}, or null when it has none. */
  String nearestExample(int label, float[] vector) {
    float[][] candidates = examples[label];
    String nearest = null;
    float best = Float.NEGATIVE_INFINITY;
    for (int e = 0; e < candidates.length; e++) {
      float score = dot(candidates[e], vector);
      if (score > best) {
        best = score;
        nearest = exampleIds[label][e];
      }
    }
    return nearest;
  }

  private static float dot(float[] a, float[] b) {
    float sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
