package dev.sieve.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelExample;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaPart;
import dev.sieve.testing.AxisEmbeddingProvider;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Compiling definitions into centroids with a provider whose vectors the test chooses. */
class LabelCompilerTest {

  private static final int DIMS = 8;
  private static final Offset<Float> CLOSE = Offset.offset(1e-5f);

  private final AxisEmbeddingProvider provider = new AxisEmbeddingProvider("m", DIMS);
  private final LabelCompiler compiler = new LabelCompiler(provider,
      Clock.fixed(Instant.parse("2026-11-26T00:00:00Z"), ZoneOffset.UTC));

  @Test
  void theCentroidIsTheNormalisedMeanOfTheExamples() {
    LabelCentroids c = compiler.compile(category("sports", texts("v:1,0", "v:0,1")).setThreshold(0.4f).build(), 7);
    assertThat(c.getPrototypes()).hasSize(1);
    assertThat(c.getPrototypes().get(0).get(0)).isCloseTo((float) Math.sqrt(0.5), CLOSE);
    assertThat(c.getPrototypes().get(0).get(1)).isCloseTo((float) Math.sqrt(0.5), CLOSE);
    assertThat(c.getThreshold()).isEqualTo(0.4f);
    assertThat(c.getVersion()).isEqualTo(7);
    assertThat(c.getSpace()).isEqualTo(provider.space());
    assertThat(c.getCompiledAt()).isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
    assertThat(c.getDefinitionHash()).hasSize(64);
    assertThat(c.getExamples()).isEmpty();
  }

  @Test
  void aLabelWithOnlyADescriptionIsZeroShotOnTheDescriptionsEmbedding() {
    LabelCentroids c = compiler.compile(category("z", List.of()).setDescription("v:0,0,1").build(), 1);
    assertThat(c.getPrototypes()).containsExactly(LabelCompiler.boxed(AxisEmbeddingProvider.vector(DIMS, 0, 0, 1)));
    assertThat(c.getThreshold()).isEqualTo(LabelCompiler.DEFAULT_CATEGORY_THRESHOLD);
  }

  @Test
  void spreadOutExamplesGetSeveralPrototypesFromKMeans() {
    List<MediaPart> examples = new ArrayList<>();
    for (String axis : List.of("1,0,0", "0,1,0", "0,0,1")) {
      examples.addAll(texts("v:" + axis + ",0.1", "v:" + axis + ",-0.1", "v:" + axis + ",0,0.1"));
    }
    LabelCentroids c = compiler.compile(category("spread", examples).build(), 1);
    assertThat(c.getPrototypes()).hasSize(3);
    for (int axis = 0; axis < 3; axis++) {
      int a = axis;
      assertThat(c.getPrototypes()).anySatisfy(p -> assertThat(p.get(a)).isGreaterThan(0.95f));
    }
  }

  @Test
  void closeTogetherExamplesKeepOnePrototype() {
    LabelCentroids c = compiler.compile(category("tight", texts("v:1,0.1", "v:1,-0.1", "v:1,0,0.1",
        "v:1,0,-0.1", "v:1,0.05", "v:1,0,0,0.1")).build(), 1);
    assertThat(c.getPrototypes()).hasSize(1);
  }

  @Test
  void negativeExamplesRaiseTheThresholdAboveTheirSimilarity() {
    LabelCentroids c = compiler.compile(category("sports", texts("v:1,0")).setThreshold(0.3f)
        .setNegativeExamples(texts("v:0.6,0.8")).build(), 1);
    assertThat(c.getNegativeCeiling()).isCloseTo(0.6f, CLOSE);
    assertThat(c.getThreshold()).isCloseTo(0.6f + LabelCompiler.NEGATIVE_MARGIN, CLOSE);
    assertThat(c.getPrototypes().get(0).get(0)).isEqualTo(1f);
  }

  @Test
  void negativeExamplesBelowTheThresholdChangeNothing() {
    LabelCentroids c = compiler.compile(category("sports", texts("v:1,0")).setThreshold(0.7f)
        .setNegativeExamples(texts("v:0.6,0.8")).build(), 1);
    assertThat(c.getThreshold()).isEqualTo(0.7f);
  }

  @Test
  void aModerationLabelKeepsItsExampleVectorsToNameTheNearestOne() {
    LabelCentroids c = compiler.compile(moderation("threats", texts("v:1,0", "v:0,1"))
        .setReviewThreshold(0.4f).setBlockThreshold(0.6f).build(), 1);
    assertThat(c.getExamples()).extracting(LabelExample::getId).containsExactly("threats#1", "threats#2");
    assertThat(c.getReviewThreshold()).isEqualTo(0.4f);
    assertThat(c.getBlockThreshold()).isEqualTo(0.6f);
  }

  @Test
  void negativesRaiseReviewAndBlockTogether() {
    LabelCentroids c = compiler.compile(moderation("threats", texts("v:1,0"))
        .setReviewThreshold(0.4f).setBlockThreshold(0.5f).setNegativeExamples(texts("v:0.6,0.8")).build(), 1);
    assertThat(c.getReviewThreshold()).isCloseTo(0.62f, CLOSE);
    assertThat(c.getBlockThreshold()).isCloseTo(0.62f, CLOSE);
  }

  @Test
  void withoutAReviewThresholdALabelReviewsAtItsBlockThreshold() {
    LabelCentroids c = compiler.compile(moderation("spam", texts("v:1")).setBlockThreshold(0.7f).build(), 1);
    assertThat(c.getReviewThreshold()).isEqualTo(0.7f);
  }

  @Test
  void anExampleTheProviderCannotEmbedRejectsTheLabelNamingTheExample() {
    MediaPart image = MediaPart.newBuilder().setData(ByteBuffer.wrap(new byte[] {1})).setMimeType("image/png").build();
    List<MediaPart> examples = new ArrayList<>(texts("v:1"));
    examples.add(image);
    assertThatThrownBy(() -> compiler.compile(category("pics", examples).build(), 1))
        .isInstanceOfSatisfying(InvalidLabelException.class, e -> {
          assertThat(e.reason()).isEqualTo("unembeddable-example");
          assertThat(e.getMessage()).startsWith("label 'pics': examples[2]: unsupported-modality-for-provider");
        });
  }

  @Test
  void invalidDefinitionsAreRejectedNamingLabelAndField() {
    assertThat(problem(category("a", List.of()).build())).isEqualTo(
        "label 'a': examples: no examples and no description: give positive examples, or a description alone for a zero-shot label");
    assertThat(problem(category("a", texts("x")).setThreshold(1.5f).build()))
        .isEqualTo("label 'a': threshold: 1.5 is outside [-1, 1] (cosine similarity)");
    assertThat(problem(moderation("m", texts("x")).setReviewThreshold(0.7f).setBlockThreshold(0.6f).build()))
        .isEqualTo("label 'm': review: REVIEW threshold 0.7 is above the BLOCK threshold 0.6");
    assertThat(problem(moderation("m", texts("x")).build()))
        .isEqualTo("label 'm': review: a moderation label needs 'review', 'block' or both");
    assertThat(problem(category("c", texts("x")).setBlockThreshold(0.5f).build()))
        .isEqualTo("label 'c': block: only moderation labels have a BLOCK threshold; a category has 'threshold'");
    assertThat(problem(category("unknown", texts("x")).build()))
        .isEqualTo("label 'unknown': id: 'unknown' is reserved for events no category claims");
    assertThat(problem(category("a", texts("x", "  ")).build())).isEqualTo("label 'a': examples[2]: text is empty");
    assertThat(provider.embedded()).isZero();
  }

  private String problem(LabelDefinition label) {
    try {
      compiler.compile(label, 1);
      throw new AssertionError("compiled " + label);
    } catch (InvalidLabelException e) {
      assertThat(e.reason()).isEqualTo("invalid-label");
      return e.getMessage();
    }
  }

  private static LabelDefinition.Builder category(String id, List<MediaPart> examples) {
    return LabelDefinition.newBuilder().setId(id).setKind(LabelKind.CATEGORY).setExamples(examples)
        .setNegativeExamples(List.of());
  }

  private static LabelDefinition.Builder moderation(String id, List<MediaPart> examples) {
    return LabelDefinition.newBuilder().setId(id).setKind(LabelKind.MODERATION).setExamples(examples)
        .setNegativeExamples(List.of());
  }

  static List<MediaPart> texts(String... texts) {
    return java.util.Arrays.stream(texts).map(t -> MediaPart.newBuilder().setText(t).build()).toList();
  }
}
