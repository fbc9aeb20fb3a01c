package dev.sieve.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Label files: the documented shape, and every problem reported with its line before anything is written. */
class LabelFileTest {

  @TempDir
  Path dir;

  @Test
  void readsCategoriesModerationLabelsExamplesAndFiles() throws Exception {
    Files.writeString(dir.resolve("note.txt"), "a text file example");
    List<LabelDefinition> labels = read("""
        labels:
          - id: sports
            kind: category
            description: Sports news and match reports
            examples:
              - text: The striker scored twice in the derby
              - file: note.txt
              - uri: gs://bucket/stadium.jpg
                mimeType: image/jpeg
            negatives:
              - text: The stock market rallied
            threshold: 0.35
          - id: threats
            kind: moderation
            examples: [{text: I will hurt you}]
            review: 0.45
            block: 0.60
            enabled: false
          - id: travel
            kind: category
            description: Travel writing
        """);
    assertThat(labels).extracting(LabelDefinition::getId).containsExactly("sports", "threats", "travel");
    LabelDefinition sports = labels.get(0);
    assertThat(sports.getKind()).isEqualTo(LabelKind.CATEGORY);
    assertThat(sports.getThreshold()).isEqualTo(0.35f);
    assertThat(sports.getExamples()).hasSize(3);
    assertThat(sports.getExamples().get(1).getText()).isEqualTo("a text file example");
    assertThat(sports.getExamples().get(2).getUri()).isEqualTo("gs://bucket/stadium.jpg");
    assertThat(sports.getNegativeExamples().get(0).getText()).isEqualTo("The stock market rallied");
    LabelDefinition threats = labels.get(1);
    assertThat(threats.getReviewThreshold()).isEqualTo(0.45f);
    assertThat(threats.getBlockThreshold()).isEqualTo(0.60f);
    assertThat(threats.getEnabled()).isFalse();
    assertThat(labels.get(2).getExamples()).isEmpty();
  }

  @Test
  void everyProblemIsReportedWithItsLineAndNothingIsReturned() {
    assertThatThrownBy(() -> read("""
        labels:
          - id: sports
            kind: category
            examples:
              - text: goal
            threshold: 1.5
          - id: threats
            kind: moderation
            examples:
              - text: I will hurt you
            review: 0.7
            block: 0.6
          - id: sports
            kind: category
            description: again
          - id: empty
            kind: category
          - id: typo
            kind: category
            description: x
            treshold: 0.3
          - id: pics
            kind: category
            examples:
              - text: fine
              - file: missing.jpg
          - id: odd
            kind: animal
            description: x
        """)).isInstanceOfSatisfying(LabelFileException.class, e -> assertThat(e.problems())
        .extracting(LabelFileException.Problem::toString).containsExactly(
            "line 6: label 'sports': threshold: 1.5 is outside [-1, 1] (cosine similarity)",
            "line 11: label 'threats': review: REVIEW threshold 0.7 is above the BLOCK threshold 0.6",
            "line 13: label 'sports': duplicate id (first defined at line 2)",
            "line 16: label 'empty': examples: no examples and no description: give positive examples, or a description alone for a zero-shot label",
            "line 21: label 'typo': unknown field 'treshold' (known: block, description, enabled, examples, id, kind, negatives, review, threshold)",
            "line 26: label 'pics': examples[2]: file: cannot read " + dir.resolve("missing.jpg") + ": " + dir.resolve("missing.jpg"),
            "line 28: label 'odd': kind: 'animal' is neither category nor moderation"));
  }

  @Test
  void yamlSyntaxErrorsAndDuplicateKeysNameTheirLine() {
    assertThatThrownBy(() -> read("labels:\n  - id: a\n    kind: [category\n"))
        .isInstanceOfSatisfying(LabelFileException.class, e ->
            assertThat(e.problems().get(0).toString()).startsWith("line 3: not valid YAML: while parsing a flow sequence"));
    assertThatThrownBy(() -> read("labels:\n  - id: a\n    kind: category\n    kind: moderation\n"))
        .isInstanceOfSatisfying(LabelFileException.class, e ->
            assertThat(e.problems().get(0).toString()).startsWith("line 4: not valid YAML: Duplicate field 'kind'"));
  }

  @Test
  void aFileWithoutALabelsListIsRejected() {
    assertThatThrownBy(() -> read("categories: []\n"))
        .isInstanceOfSatisfying(LabelFileException.class, e -> assertThat(e.problems())
            .extracting(LabelFileException.Problem::toString)
            .containsExactly("line 1: unknown top-level field 'categories'; expected 'labels'", "line 1: no 'labels' list"));
  }

  @Test
  void theExampleFileShippedWithSieveIsValid() {
    Path shipped = Path.of("..", "examples", "labels.yaml");
    assertThat(LabelFile.read(shipped)).isNotEmpty();
  }

  @Test
  void theDemosBundledLabelsAreValid() throws Exception {
    try (var in = getClass().getResourceAsStream("/demo/labels.yaml")) {
      List<LabelDefinition> labels = LabelFile.read(new java.io.InputStreamReader(in), dir, "demo/labels.yaml");
      assertThat(labels).extracting(LabelDefinition::getKind).contains(LabelKind.CATEGORY, LabelKind.MODERATION);
    }
  }

  private List<LabelDefinition> read(String yaml) {
    return LabelFile.read(new StringReader(yaml), dir, "labels.yaml");
  }
}
