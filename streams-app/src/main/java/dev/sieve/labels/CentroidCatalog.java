package dev.sieve.labels;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelExample;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.ModelSpace;
import dev.sieve.classify.LabelSnapshot;
import dev.sieve.classify.PrototypeIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The compiled labels one Sieve instance knows, fed from the centroids topic, and the classifier
 * snapshot built from them. Writers (the global centroid store) replace one label at a time; readers
 * (stream threads) get an immutable {@link LabelSnapshot}, rebuilt once after a burst of changes
 * (copy-on-write), so classifying never takes a lock and never sees half a change.
 *
 * <p>Centroids that could corrupt scores (no prototype, a dimension other than the space's,
 * non-finite values or thresholds) are refused: the label keeps its last good centroids.
 *
 * <p>Also remembers the compiler's rejections, so that a waiting caller (the demo) learns that a
 * label will not be compiled.
 */
public final class CentroidCatalog {

  private final Map<String, LabelCentroids> labels = new TreeMap<>();
  private final Map<String, Rejection> rejections = new HashMap<>();
  private volatile LabelSnapshot snapshot = LabelSnapshot.EMPTY;
  private volatile boolean stale;

  /**
   * Replaces a label's centroids ({@code null} removes the label).
   *
   * @return the problem when the centroids were refused
   */
  public synchronized Optional<String> apply(String labelId, LabelCentroids centroids) {
    if (centroids == null) {
      labels.remove(labelId);
      stale = true;
      return Optional.empty();
    }
    Optional<String> problem = problem(labelId, centroids);
    if (problem.isEmpty()) {
      labels.put(labelId, centroids);
      rejections.remove(labelId);
      stale = true;
    }
    return problem;
  }

  /** The snapshot classifiers use now. */
  public LabelSnapshot snapshot() {
    if (stale) {
      rebuild();
    }
    return snapshot;
  }

  /** Every label's centroids now, by label id. */
  public synchronized List<LabelCentroids> all() {
    return List.copyOf(labels.values());
  }

  public synchronized Optional<LabelCentroids> centroids(String labelId) {
    return Optional.ofNullable(labels.get(labelId));
  }

  /** Records that the compiler refused the definition with {@code definitionHash}. */
  public synchronized void rejected(String labelId, String definitionHash, String message) {
    rejections.put(labelId, new Rejection(definitionHash, message));
  }

  /** Why the definition with {@code definitionHash} was refused, if it was. */
  public synchronized Optional<String> rejection(String labelId, String definitionHash) {
    return Optional.ofNullable(rejections.get(labelId))
        .filter(r -> r.definitionHash().equals(definitionHash)).map(Rejection::message);
  }

  private record Rejection(String definitionHash, String message) {}

  private synchronized void rebuild() {
    if (!stale) {
      return;
    }
    Map<ModelSpace, List<PrototypeIndex.Label>> bySpace = new HashMap<>();
    for (LabelCentroids c : labels.values()) {
      if (c.getEnabled()) {
        bySpace.computeIfAbsent(c.getSpace(), s -> new ArrayList<>()).add(indexLabel(c));
      }
    }
    Map<ModelSpace, PrototypeIndex> indexes = new HashMap<>();
    bySpace.forEach((space, list) -> indexes.put(space, new PrototypeIndex(space, list)));
    snapshot = new LabelSnapshot(indexes);
    stale = false;
  }

  private static PrototypeIndex.Label indexLabel(LabelCentroids c) {
    boolean moderation = c.getKind() == LabelKind.MODERATION;
    return new PrototypeIndex.Label(c.getLabelId(), c.getKind(),
        c.getPrototypes().stream().map(CentroidCatalog::unboxed).toList(),
        c.getThreshold() == null ? Float.POSITIVE_INFINITY : c.getThreshold(),
        c.getReviewThreshold() == null ? Float.POSITIVE_INFINITY : c.getReviewThreshold(),
        c.getBlockThreshold() == null ? Float.POSITIVE_INFINITY : c.getBlockThreshold(),
        moderation ? c.getExamples().stream().map(LabelExample::getId).toList() : List.of(),
        moderation ? c.getExamples().stream().map(e -> unboxed(e.getVector())).toList() : List.of());
  }

  static Optional<String> problem(String labelId, LabelCentroids c) {
    String where = "centroids of label '" + labelId + "': ";
    if (!labelId.equals(c.getLabelId())) {
      return Optional.of(where + "labelId is '" + c.getLabelId() + "', not the record key");
    }
    if (c.getPrototypes().isEmpty()) {
      return Optional.of(where + "prototypes: none");
    }
    int dimensions = c.getSpace().getDimensions();
    List<List<Float>> vectors = new ArrayList<>(c.getPrototypes());
    c.getExamples().forEach(e -> vectors.add(e.getVector()));
    for (int i = 0; i < vectors.size(); i++) {
      String field = i < c.getPrototypes().size() ? "prototypes[" + (i + 1) + "]"
          : "examples[" + (i - c.getPrototypes().size() + 1) + "]";
      List<Float> vector = vectors.get(i);
      if (vector.size() != dimensions) {
        return Optional.of(where + field + ": " + vector.size() + " dimensions, the space "
            + c.getSpace().getProvider() + "/" + c.getSpace().getModel() + " has " + dimensions);
      }
      for (Float value : vector) {
        if (!Float.isFinite(value)) {
          return Optional.of(where + field + ": contains " + value);
        }
      }
    }
    for (Float threshold : new Float[] {c.getThreshold(), c.getReviewThreshold(), c.getBlockThreshold()}) {
      if (threshold != null && !(threshold >= -1f && threshold <= 1f)) {
        return Optional.of(where + "threshold " + threshold + " is outside [-1, 1]");
      }
    }
    return Optional.empty();
  }

  private static float[] unboxed(List<Float> vector) {
    float[] array = new float[vector.size()];
    for (int d = 0; d < array.length; d++) {
      array[d] = vector.get(d);
    }
    return array;
  }
}
