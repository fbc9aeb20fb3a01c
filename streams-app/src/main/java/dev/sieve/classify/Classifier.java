package dev.sieve.classify;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.ModerationHit;
import dev.sieve.avro.ModerationResult;
import dev.sieve.avro.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Scores an embedded event against the labels of its model space and derives its category and
 * moderation verdict. Pure and thread-safe: each call reads the current {@link LabelSnapshot} once,
 * so a label change is seen whole, by the next event.
 *
 * <p>Category: among category labels whose score reaches their threshold, the best one; else
 * {@value #UNKNOWN}. Moderation: every moderation label at or above its REVIEW or BLOCK threshold is
 * a hit; the verdict is the most severe action among the hits, ALLOW without any, and carries the
 * event's attributes.
 */
public final class Classifier {

  /** The category of an event no category label claims. */
  public static final String UNKNOWN = "unknown";
  public static final String NO_CATEGORY_LABELS = "no-category-labels";
  public static final String BELOW_THRESHOLD = "below-threshold";
  public static final String NO_MODERATION_LABELS = "no-moderation-labels";

  private final Supplier<LabelSnapshot> labels;

  public Classifier(Supplier<LabelSnapshot> labels) {
    this.labels = labels;
  }

  public Classification classify(EmbeddedMedia event) {
    PrototypeIndex index = labels.get().index(event.getSpace());
    float[] vector = toArray(event.getVector());
    if (index == null) {
      return new Classification(noCategory(event), noModeration(event));
    }
    float[] scores = index.labelScores(vector);
    CategoryResult category = index.hasCategories() ? category(event, index, scores) : noCategory(event);
    ModerationResult moderation = index.hasModeration()
        ? moderation(event, index, scores, vector) : noModeration(event);
    return new Classification(category, moderation);
  }

  private static CategoryResult category(EmbeddedMedia event, PrototypeIndex index, float[] scores) {
    int top = -1;
    int second = -1;
    int assigned = -1;
    for (int l = 0; l < scores.length; l++) {
      if (index.isModeration(l)) {
        continue;
      }
      if (top < 0 || scores[l] > scores[top]) {
        second = top;
        top = l;
      } else if (second < 0 || scores[l] > scores[second]) {
        second = l;
      }
      if (scores[l] >= index.threshold(l) && (assigned < 0 || scores[l] > scores[assigned])) {
        assigned = l;
      }
    }
    CategoryResult.Builder result = CategoryResult.newBuilder()
        .setEventId(event.getId())
        .setSpace(event.getSpace());
    if (assigned < 0) {
      return result.setLabel(UNKNOWN).setScore(scores[top]).setThreshold(index.threshold(top))
          .setClosest(index.id(top)).setReason(BELOW_THRESHOLD)
          .setRunnerUp(second < 0 ? null : index.id(second))
          .setRunnerUpScore(second < 0 ? null : scores[second])
          .build();
    }
    // The runner-up is the best other category, whether or not it reached its own threshold.
    int runnerUp = assigned == top ? second : top;
    return result.setLabel(index.id(assigned)).setScore(scores[assigned])
        .setThreshold(index.threshold(assigned))
        .setRunnerUp(runnerUp < 0 ? null : index.id(runnerUp))
        .setRunnerUpScore(runnerUp < 0 ? null : scores[runnerUp])
        .setMargin(runnerUp < 0 ? null : scores[assigned] - scores[runnerUp])
        .build();
  }

  private static ModerationResult moderation(EmbeddedMedia event, PrototypeIndex index, float[] scores,
      float[] vector) {
    List<ModerationHit> hits = new ArrayList<>();
    Verdict verdict = Verdict.ALLOW;
    for (int l = 0; l < scores.length; l++) {
      if (!index.isModeration(l)) {
        continue;
      }
      Verdict action = scores[l] >= index.block(l) ? Verdict.BLOCK
          : scores[l] >= index.review(l) ? Verdict.REVIEW : Verdict.ALLOW;
      if (action == Verdict.ALLOW) {
        continue;
      }
      hits.add(ModerationHit.newBuilder().setLabel(index.id(l)).setScore(scores[l])
          .setThreshold(action == Verdict.BLOCK ? index.block(l) : index.review(l))
          .setAction(action)
          .setNearestExample(index.nearestExample(l, vector))
          .build());
      if (action.ordinal() > verdict.ordinal()) {
        verdict = action;
      }
    }
    hits.sort(Comparator.comparing(ModerationHit::getScore).reversed());
    return ModerationResult.newBuilder().setEventId(event.getId()).setVerdict(verdict).setHits(hits)
        .setSpace(event.getSpace()).setAttributes(event.getAttributes()).build();
  }

  private static CategoryResult noCategory(EmbeddedMedia event) {
    return CategoryResult.newBuilder().setEventId(event.getId()).setLabel(UNKNOWN).setScore(0f)
        .setSpace(event.getSpace()).setReason(NO_CATEGORY_LABELS).build();
  }

  private static ModerationResult noModeration(EmbeddedMedia event) {
    return ModerationResult.newBuilder().setEventId(event.getId()).setVerdict(Verdict.ALLOW)
        .setHits(List.of()).setSpace(event.getSpace()).setReason(NO_MODERATION_LABELS)
        .setAttributes(event.getAttributes()).build();
  }

  private static float[] toArray(List<Float> vector) {
    float[] array = new float[vector.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = vector.get(i);
    }
    return array;
  }
}
