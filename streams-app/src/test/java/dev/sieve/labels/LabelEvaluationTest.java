package dev.sieve.labels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.labels.LabelEvaluation.LabelScore;
import dev.sieve.testing.AxisEmbeddingProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Precision, recall, F1, better thresholds and the confusion matrix on items whose vectors the test chooses. */
class LabelEvaluationTest {

  private static final int DIMS = 4;
  private static final Offset<Double> CLOSE = Offset.offset(1e-6);

  private final AxisEmbeddingProvider provider = new AxisEmbeddingProvider("m", DIMS);
  private final LabelCompiler compiler = new LabelCompiler(provider, Clock.systemUTC());

  @Test
  void measuresEachLabelAtItsThresholdAndFindsBetterOnes() {
    LabelCentroids spam = compiler.compile(LabelDefinition.newBuilder().setId("spam").setKind(LabelKind.MODERATION)
        .setExamples(LabelCompilerTest.texts("v:1,0")).setNegativeExamples(List.of())
        .setReviewThreshold(0.9f).build(), 0);
    // Scores against spam: 1.0, 0.8, 0.6 (spam) and 0.7, 0.0 (ham).
    List<LabelEvaluation.Item> items = List.of(
        item("s1", "spam", 1, 0), item("s2", "spam", 0.8f, 0.6f), item("s3", "spam", 0.6f, 0.8f),
        item("h1", "ham", 0.7f, 0.71414284f), item("h2", "ham", 0, 1));
    LabelEvaluation.Result result = LabelEvaluation.evaluate(List.of(spam), provider.space(), items, 0.99);

    LabelScore score = result.labels().get(0);
    assertThat(score.positives()).isEqualTo(3);
    assertThat(score.precision()).isCloseTo(1.0, CLOSE);
    assertThat(score.recall()).isCloseTo(1 / 3.0, CLOSE);
    assertThat(score.f1()).isCloseTo(0.5, CLOSE);
    // At 0.6 every spam and one ham pass: precision 3/4, recall 1, F1 6/7 — the best.
    assertThat(score.bestF1Threshold()).isCloseTo(0.6f, Offset.offset(1e-5f));
    assertThat(score.bestF1()).isCloseTo(6 / 7.0, Offset.offset(1e-5));
    // Precision 0.99 holds down to 0.8 (two of three spams).
    assertThat(score.thresholdForPrecision()).isCloseTo(0.8f, Offset.offset(1e-5f));
    assertThat(score.recallAtPrecision()).isCloseTo(2 / 3.0, CLOSE);
    assertThat(score.curve()).hasSize(5);
  }

  @Test
  void theConfusionMatrixCountsAssignedCategoriesAgainstTrueOnes() {
    LabelCentroids a = category("a", "v:1,0,0");
    LabelCentroids b = category("b", "v:0,1,0");
    List<LabelEvaluation.Item> items = List.of(item("1", "a", 1, 0, 0), item("2", "a", 0, 1, 0),
        item("3", "b", 0, 1, 0), item("4", "other", 0, 0, 1));
    LabelEvaluation.Result result = LabelEvaluation.evaluate(List.of(b, a), provider.space(), items, Double.NaN);

    assertThat(result.classes()).containsExactly("a", "b", "unknown");
    assertThat(result.confusion()).isEqualTo(new int[][] {{1, 1, 0}, {0, 1, 0}, {0, 0, 1}});
    assertThat(result.labels()).extracting(LabelScore::label).containsExactly("a", "b");
    assertThat(result.labels().get(1).precision()).isCloseTo(0.5, CLOSE);

    StringWriter text = new StringWriter();
    EvaluationReport.printText(result, new PrintWriter(text, true));
    assertThat(text.toString()).contains("4 items").containsPattern("b +category +1 +0.500 +0.500 +1.000 +0.667")
        .contains("Category accuracy: 0.750 (3 of 4 items)");
    assertThat(EvaluationReport.html(result, "eval")).startsWith("<!DOCTYPE html>").contains("<svg").contains("<polyline")
        .doesNotContain("<script", " src=", "href=");
  }

  private LabelCentroids category(String id, String example) {
    return compiler.compile(LabelDefinition.newBuilder().setId(id).setKind(LabelKind.CATEGORY).setThreshold(0.5f)
        .setExamples(LabelCompilerTest.texts(example)).setNegativeExamples(List.of()).build(), 0);
  }

  private static LabelEvaluation.Item item(String id, String truth, float... values) {
    return new LabelEvaluation.Item(id, truth, AxisEmbeddingProvider.vector(DIMS, values));
  }
}
