package dev.sieve.labels;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.ModelSpace;
import dev.sieve.classify.PrototypeIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import smile.validation.metric.FScore;
import smile.validation.metric.Precision;
import smile.validation.metric.Recall;

/**
 * How well compiled labels reproduce a labelled data set: per label precision, recall and F1 at
 * its current threshold (one label against the rest, Smile's metrics), a confusion matrix of the
 * categories (an item whose true label is no category counts as {@code unknown}), and the thresholds that would do better: the one that maximises F1 and, for
 * moderation labels, the lowest one that reaches a requested precision. Thresholds are swept over
 * the label's own score, ignoring the competition between categories.
 */
public final class LabelEvaluation {

  /** An evaluated item: its true label (any string; not a label id means "none of them") and vector. */
  public record Item(String id, String truth, float[] vector) {}

  /** One point of a precision–recall curve. */
  public record Point(float threshold, double precision, double recall) {}

  /** The figures of one label. */
  public record LabelScore(String label, LabelKind kind, float threshold, int positives, double precision,
      double recall, double f1, float bestF1Threshold, double bestF1, Float thresholdForPrecision,
      double recallAtPrecision, List<Point> curve) {}

  /** Everything measured. {@code confusion} rows are truths, columns predictions, over {@code classes}. */
  public record Result(int items, List<LabelScore> labels, List<String> classes, int[][] confusion,
      double requestedPrecision) {}

  private LabelEvaluation() {}

  /**
   * @param centroids compiled labels (only enabled labels of {@code space} are evaluated)
   * @param requestedPrecision for moderation labels: find the threshold reaching this precision
   */
  public static Result evaluate(List<LabelCentroids> centroids, ModelSpace space, List<Item> items,
      double requestedPrecision) {
    CentroidCatalog catalog = new CentroidCatalog();
    centroids.forEach(c -> catalog.apply(c.getLabelId(), c).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    }));
    PrototypeIndex index = catalog.snapshot().index(space);
    if (index == null) {
      throw new IllegalArgumentException("no enabled label is compiled for " + space.getProvider() + "/" + space.getModel());
    }
    // The index holds the catalog's labels in id order.
    List<LabelCentroids> ordered = centroids.stream()
        .filter(c -> c.getEnabled() && c.getSpace().equals(space))
        .sorted(Comparator.comparing(LabelCentroids::getLabelId)).toList();
    float[][] scores = new float[items.size()][];
    for (int i = 0; i < items.size(); i++) {
      scores[i] = index.labelScores(items.get(i).vector());
    }
    List<LabelScore> results = new ArrayList<>();
    List<String> categories = new ArrayList<>();
    for (int l = 0; l < ordered.size(); l++) {
      LabelCentroids label = ordered.get(l);
      boolean moderation = label.getKind() == LabelKind.MODERATION;
      float threshold = moderation ? label.getReviewThreshold() : label.getThreshold();
      int[] truth = new int[items.size()];
      int[] predicted = new int[items.size()];
      float[] own = new float[items.size()];
      for (int i = 0; i < items.size(); i++) {
        truth[i] = items.get(i).truth().equals(label.getLabelId()) ? 1 : 0;
        own[i] = scores[i][l];
        predicted[i] = moderation ? (own[i] >= threshold ? 1 : 0)
            : (label.getLabelId().equals(category(ordered, scores[i])) ? 1 : 0);
      }
      if (!moderation) {
        categories.add(label.getLabelId());
      }
      results.add(score(label.getLabelId(), label.getKind(), threshold, truth, predicted, own,
          moderation ? requestedPrecision : Double.NaN));
    }
    List<String> classes = new ArrayList<>(categories);
    classes.add(dev.sieve.classify.Classifier.UNKNOWN);
    int[] truth = new int[items.size()];
    int[] predicted = new int[items.size()];
    for (int i = 0; i < items.size(); i++) {
      int t = classes.indexOf(items.get(i).truth());
      truth[i] = t < 0 ? classes.size() - 1 : t;
      predicted[i] = classes.indexOf(category(ordered, scores[i]));
    }
    int[][] confusion = categories.isEmpty() ? new int[0][0] : confusion(truth, predicted, classes.size());
    return new Result(items.size(), results, classes, confusion, requestedPrecision);
  }

  /** The category the classifier would assign: the best one at or above its threshold. */
  private static String category(List<LabelCentroids> labels, float[] scores) {
    int best = -1;
    for (int l = 0; l < labels.size(); l++) {
      LabelCentroids label = labels.get(l);
      if (label.getKind() == LabelKind.CATEGORY && scores[l] >= label.getThreshold()
          && (best < 0 || scores[l] > scores[best])) {
        best = l;
      }
    }
    return best < 0 ? dev.sieve.classify.Classifier.UNKNOWN : labels.get(best).getLabelId();
  }

  private static LabelScore score(String id, LabelKind kind, float threshold, int[] truth, int[] predicted,
      float[] own, double requestedPrecision) {
    int positives = 0;
    for (int t : truth) {
      positives += t;
    }
    List<Point> curve = curve(truth, own);
    Point bestF1 = curve.stream().max(Comparator.comparingDouble(p -> f1(p.precision(), p.recall())))
        .orElse(new Point(threshold, 0, 0));
    Point atPrecision = Double.isNaN(requestedPrecision) ? null : curve.stream()
        .filter(p -> p.precision() >= requestedPrecision).max(Comparator.comparingDouble(Point::recall)).orElse(null);
    return new LabelScore(id, kind, threshold, positives, Precision.of(truth, predicted), Recall.of(truth, predicted),
        FScore.F1.score(truth, predicted), bestF1.threshold(), f1(bestF1.precision(), bestF1.recall()),
        atPrecision == null ? null : atPrecision.threshold(), atPrecision == null ? 0 : atPrecision.recall(), curve);
  }

  /** Precision and recall when the label's own score at or above each distinct score counts as positive. */
  private static List<Point> curve(int[] truth, float[] own) {
    Integer[] order = new Integer[own.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(own[b], own[a]));
    int positives = 0;
    for (int t : truth) {
      positives += t;
    }
    List<Point> curve = new ArrayList<>();
    int truePositives = 0;
    for (int rank = 0; rank < order.length; rank++) {
      truePositives += truth[order[rank]];
      boolean lastOfScore = rank == order.length - 1 || own[order[rank + 1]] < own[order[rank]];
      if (lastOfScore) {
        curve.add(new Point(own[order[rank]], truePositives / (double) (rank + 1),
            positives == 0 ? 0 : truePositives / (double) positives));
      }
    }
    return curve;
  }

  private static double f1(double precision, double recall) {
    return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
  }

  private static int[][] confusion(int[] truth, int[] predicted, int classes) {
    int[][] matrix = new int[classes][classes];
    for (int i = 0; i < truth.length; i++) {
      matrix[truth[i]][predicted[i]]++;
    }
    return matrix;
  }

}
