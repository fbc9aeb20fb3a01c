package dev.sieve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelExample;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.ModelSpace;
import dev.sieve.avro.ModerationHit;
import dev.sieve.avro.ModerationResult;
import dev.sieve.avro.Verdict;
import dev.sieve.labels.CentroidCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Categories and verdicts from hand-made centroids in a 4-dimensional space. */
class ClassifierTest {

  private static final ModelSpace SPACE = new ModelSpace("test", "m", 4, "");
  private static final ModelSpace OTHER = new ModelSpace("test", "other", 4, "");

  private final CentroidCatalog catalog = new CentroidCatalog();
  private final Classifier classifier = new Classifier(catalog::snapshot);

  @Test
  void theBestCategoryAtOrAboveItsThresholdWinsWithRunnerUpAndMargin() {
    category("sports", 0.5f, List.of(v(1, 0, 0, 0)));
    category("tech", 0.5f, List.of(v(0, 1, 0, 0)));
    CategoryResult result = classifier.classify(event(0.8f, 0.6f, 0, 0)).category();
    assertThat(result.getLabel()).isEqualTo("sports");
    assertThat(result.getScore()).isEqualTo(0.8f);
    assertThat(result.getRunnerUp()).isEqualTo("tech");
    assertThat(result.getRunnerUpScore()).isEqualTo(0.6f);
    assertThat(result.getMargin()).isEqualTo(0.8f - 0.6f);
    assertThat(result.getThreshold()).isEqualTo(0.5f);
    assertThat(result.getReason()).isNull();
  }

  @Test
  void aLabelScoresByItsNearestPrototype() {
    category("food", 0.5f, List.of(v(1, 0, 0, 0), v(0, 0, 1, 0)));
    category("tech", 0.5f, List.of(v(0, 1, 0, 0)));
    CategoryResult result = classifier.classify(event(0, 0.6f, 0.8f, 0)).category();
    assertThat(result.getLabel()).isEqualTo("food");
    assertThat(result.getScore()).isEqualTo(0.8f);
  }

  @Test
  void aHigherScoringCategoryBelowItsOwnThresholdLosesToOneAboveIts() {
    category("strict", 0.9f, List.of(v(1, 0, 0, 0)));
    category("loose", 0.2f, List.of(v(0, 1, 0, 0)));
    CategoryResult result = classifier.classify(event(0.8f, 0.6f, 0, 0)).category();
    assertThat(result.getLabel()).isEqualTo("loose");
    assertThat(result.getRunnerUp()).isEqualTo("strict");
    assertThat(result.getMargin()).isEqualTo(0.6f - 0.8f);
  }

  @Test
  void belowEveryThresholdTheCategoryIsUnknownAndNamesTheClosestLabel() {
    category("sports", 0.9f, List.of(v(1, 0, 0, 0)));
    category("tech", 0.9f, List.of(v(0, 1, 0, 0)));
    CategoryResult result = classifier.classify(event(0.8f, 0.6f, 0, 0)).category();
    assertThat(result.getLabel()).isEqualTo("unknown");
    assertThat(result.getReason()).isEqualTo("below-threshold");
    assertThat(result.getClosest()).isEqualTo("sports");
    assertThat(result.getScore()).isEqualTo(0.8f);
    assertThat(result.getThreshold()).isEqualTo(0.9f);
    assertThat(result.getRunnerUp()).isEqualTo("tech");
  }

  @Test
  void withoutLabelsEveryEventIsUnknownAndAllowedWithAReason() {
    Classification result = classifier.classify(event(1, 0, 0, 0));
    assertThat(result.category().getLabel()).isEqualTo("unknown");
    assertThat(result.category().getReason()).isEqualTo("no-category-labels");
    assertThat(result.category().getEventId()).isEqualTo("e1");
    assertThat(result.moderation().getVerdict()).isEqualTo(Verdict.ALLOW);
    assertThat(result.moderation().getReason()).isEqualTo("no-moderation-labels");
    assertThat(result.moderation().getHits()).isEmpty();
  }

  @Test
  void labelsOfAnotherModelSpaceAreNeverCompared() {
    catalog.apply("sports", centroids("sports", LabelKind.CATEGORY, OTHER, List.of(v(1, 0, 0, 0))).setThreshold(0f).build());
    assertThat(classifier.classify(event(1, 0, 0, 0)).category().getReason()).isEqualTo("no-category-labels");
  }

  @Test
  void aDisabledLabelIsNotUsed() {
    catalog.apply("sports", centroids("sports", LabelKind.CATEGORY, SPACE, List.of(v(1, 0, 0, 0)))
        .setThreshold(0f).setEnabled(false).build());
    assertThat(classifier.classify(event(1, 0, 0, 0)).category().getLabel()).isEqualTo("unknown");
  }

  @Test
  void theVerdictIsTheMostSevereActionAndEveryHitNamesItsThresholdAndNearestExample() {
    moderation("spam", 0.5f, 0.9f, List.of(v(1, 0, 0, 0)),
        List.of(new LabelExample("spam#1", box(v(1, 0.2f, 0, 0))), new LabelExample("spam#2", box(v(1, -0.2f, 0, 0)))));
    moderation("threats", 0.3f, 0.5f, List.of(v(0, 1, 0, 0)), List.of(new LabelExample("threats#1", box(v(0, 1, 0, 0)))));
    moderation("harassment", 0.5f, 0.9f, List.of(v(0, 0, 0, 1)), List.of());
    ModerationResult result = classifier.classify(event(0.6f, 0.8f, 0, 0)).moderation();
    assertThat(result.getVerdict()).isEqualTo(Verdict.BLOCK);
    assertThat(result.getReason()).isNull();
    assertThat(result.getHits()).extracting(ModerationHit::getLabel, ModerationHit::getAction,
            ModerationHit::getThreshold, ModerationHit::getNearestExample)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("threats", Verdict.BLOCK, 0.5f, "threats#1"),
            org.assertj.core.groups.Tuple.tuple("spam", Verdict.REVIEW, 0.5f, "spam#1"));
  }

  @Test
  void belowEveryReviewThresholdTheEventIsAllowedWithoutHits() {
    moderation("spam", 0.5f, 0.9f, List.of(v(1, 0, 0, 0)), List.of());
    ModerationResult result = classifier.classify(event(0.3f, 0.95f, 0, 0)).moderation();
    assertThat(result.getVerdict()).isEqualTo(Verdict.ALLOW);
    assertThat(result.getHits()).isEmpty();
    assertThat(result.getReason()).isNull();
  }

  @Test
  void everyVerdictCarriesTheEventsAttributes() {
    Map<String, String> attributes = Map.of("author", "u42", "title", "hello");
    EmbeddedMedia event = event(0, 1, 0, 0);
    event.setAttributes(attributes);
    assertThat(classifier.classify(event).moderation().getAttributes()).as("without labels").isEqualTo(attributes);
    moderation("threats", 0.3f, 0.5f, List.of(v(0, 1, 0, 0)), List.of());
    ModerationResult blocked = classifier.classify(event).moderation();
    assertThat(blocked.getVerdict()).isEqualTo(Verdict.BLOCK);
    assertThat(blocked.getAttributes()).isEqualTo(attributes);
  }

  @Test
  void aLabelChangeIsSeenByTheNextEvent() {
    category("sports", 0.5f, List.of(v(1, 0, 0, 0)));
    assertThat(classifier.classify(event(1, 0, 0, 0)).category().getLabel()).isEqualTo("sports");
    category("sports", 0.5f, List.of(v(0, 1, 0, 0)));
    assertThat(classifier.classify(event(1, 0, 0, 0)).category().getLabel()).isEqualTo("unknown");
    catalog.apply("sports", null);
    assertThat(classifier.classify(event(1, 0, 0, 0)).category().getReason()).isEqualTo("no-category-labels");
  }

  @Test
  void centroidsWithNaNOrTheWrongDimensionAreRefusedAndTheLastGoodOnesStay() {
    category("sports", 0.5f, List.of(v(1, 0, 0, 0)));
    var nan = catalog.apply("sports", centroids("sports", LabelKind.CATEGORY, SPACE,
        List.of(new float[] {Float.NaN, 0, 0, 0})).setThreshold(0.5f).build());
    var short3 = catalog.apply("sports", centroids("sports", LabelKind.CATEGORY, SPACE,
        List.of(new float[] {0, 1, 0})).setThreshold(0.5f).build());
    assertThat(nan).hasValue("centroids of label 'sports': prototypes[1]: contains NaN");
    assertThat(short3).hasValue("centroids of label 'sports': prototypes[1]: 3 dimensions, the space test/m has 4");
    assertThat(classifier.classify(event(1, 0, 0, 0)).category().getLabel()).isEqualTo("sports");
  }

  private void category(String id, float threshold, List<float[]> prototypes) {
    assertThat(catalog.apply(id, centroids(id, LabelKind.CATEGORY, SPACE, prototypes).setThreshold(threshold).build()))
        .isEmpty();
  }

  private void moderation(String id, float review, float block, List<float[]> prototypes, List<LabelExample> examples) {
    assertThat(catalog.apply(id, centroids(id, LabelKind.MODERATION, SPACE, prototypes).setReviewThreshold(review)
        .setBlockThreshold(block).setExamples(examples).build())).isEmpty();
  }

  static LabelCentroids.Builder centroids(String id, LabelKind kind, ModelSpace space, List<float[]> prototypes) {
    return LabelCentroids.newBuilder().setLabelId(id).setKind(kind).setSpace(space)
        .setPrototypes(prototypes.stream().map(ClassifierTest::box).toList())
        .setDefinitionHash("h").setCompiledAt(Instant.EPOCH).setExamples(List.of());
  }

  private static EmbeddedMedia event(float... vector) {
    return EmbeddedMedia.newBuilder().setId("e1").setOccurredAt(Instant.EPOCH).setSpace(SPACE)
        .setVector(box(vector)).setContentHash("x").build();
  }

  private static float[] v(float... values) {
    double norm = 0;
    for (float x : values) {
      norm += x * x;
    }
    float[] unit = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      unit[i] = (float) (values[i] / Math.sqrt(norm));
    }
    return unit;
  }

  private static List<Float> box(float[] vector) {
    List<Float> list = new ArrayList<>();
    for (float x : vector) {
      list.add(x);
    }
    return list;
  }
}
