package dev.sieve.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.chaos.ChaosInput.Pair;
import dev.sieve.chaos.OutputAudit.TopicFigures;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OutputAuditTest {

  private static final Set<String> INPUT = Set.of("a", "b", "c", "d");

  /** Every event on every result topic once; flags: b duplicates a, d duplicates c. */
  private static OutputAudit cleanRun() {
    OutputAudit audit = new OutputAudit(INPUT);
    for (String id : INPUT) {
      audit.result("embeddings", id);
      audit.result("categories", id);
      audit.result("moderation", id);
    }
    audit.flag("a", false, null);
    audit.flag("b", true, "a");
    audit.flag("c", false, null);
    audit.flag("d", true, "c");
    return audit;
  }

  @Test
  void aCleanRunIsCompleteWithNothingLostOrDoubledAndNamesItsPairs() {
    OutputAudit audit = cleanRun();

    OutputAudit.Report report = audit.report();

    assertThat(audit.complete()).isTrue();
    assertThat(report.topics()).containsOnlyKeys(OutputAudit.RESULT_ROLES)
        .allSatisfy((role, figures) -> assertThat(figures).isEqualTo(new TopicFigures(4, 0, 0)));
    assertThat(report.lost()).isZero();
    assertThat(report.doubled()).isZero();
    assertThat(report.pairs()).containsExactlyInAnyOrder(new Pair("a", "b"), new Pair("c", "d"));
    assertThat(report.compareWith(report).mismatched()).isZero();
  }

  @Test
  void anEventMissingFromOneTopicIsLostThereAndTheRunIsIncomplete() {
    OutputAudit audit = new OutputAudit(INPUT);
    for (String id : INPUT) {
      audit.result("embeddings", id);
      audit.result("categories", id);
      audit.flag(id, false, null);
      if (!id.equals("c")) {
        audit.result("moderation", id);
      }
    }

    OutputAudit.Report report = audit.report();

    assertThat(audit.complete()).isFalse();
    assertThat(report.topics().get("moderation")).isEqualTo(new TopicFigures(3, 1, 0));
    assertThat(report.topics().get("categories")).isEqualTo(new TopicFigures(4, 0, 0));
    assertThat(report.lost()).isEqualTo(1);
  }

  @Test
  void anEventOnTheDeadLetterTopicInsteadOfTheResultsIsNeitherLostNorDoubled() {
    OutputAudit audit = new OutputAudit(INPUT);
    for (String id : Set.of("a", "b", "c")) {
      audit.result("embeddings", id);
      audit.result("categories", id);
      audit.result("moderation", id);
      audit.flag(id, false, null);
    }
    audit.deadLetter("d");

    OutputAudit.Report report = audit.report();

    assertThat(audit.complete()).isTrue();
    assertThat(report.lost()).isZero();
    assertThat(report.doubled()).isZero();
    assertThat(report.dlqRecords()).isEqualTo(1);
  }

  @Test
  void aSecondRecordForAnEventIsDoubledOnItsTopicAndASecondDeadLetterToo() {
    OutputAudit audit = cleanRun();
    audit.result("categories", "b");
    audit.deadLetter("x-unknown");
    OutputAudit withDeadLetters = new OutputAudit(INPUT);
    withDeadLetters.deadLetter("a");
    withDeadLetters.deadLetter("a");

    OutputAudit.Report report = audit.report();

    assertThat(report.topics().get("categories")).isEqualTo(new TopicFigures(5, 0, 1));
    assertThat(report.doubled()).isEqualTo(1);
    assertThat(report.unknownKeys()).isEqualTo(1);
    assertThat(withDeadLetters.report().dlqDoubled()).isEqualTo(1);
    assertThat(withDeadLetters.report().doubled()).isEqualTo(1);
  }

  @Test
  void whichEventOfAPairIsTheOriginalDoesNotMatterButBothWaysRoundIsAMismatch() {
    OutputAudit.Report reference = cleanRun().report();
    OutputAudit swapped = new OutputAudit(INPUT);
    swapped.flag("a", true, "b");
    swapped.flag("b", false, null);
    swapped.flag("c", true, "d");
    swapped.flag("d", true, "c");

    OutputAudit.PairComparison comparison = swapped.report().compareWith(reference);

    assertThat(comparison).isEqualTo(new OutputAudit.PairComparison(0, 0, 1));
    assertThat(comparison.mismatched()).isEqualTo(1);
  }

  @Test
  void aPairFoundOnlyByOneRunIsMissingOrExtra() {
    OutputAudit.Report reference = cleanRun().report();
    OutputAudit other = new OutputAudit(INPUT);
    other.flag("a", false, null);
    other.flag("b", true, "a");
    other.flag("c", false, null);
    other.flag("d", true, "a");

    OutputAudit.PairComparison comparison = other.report().compareWith(reference);

    assertThat(comparison).isEqualTo(new OutputAudit.PairComparison(1, 1, 0));
    assertThat(comparison.mismatched()).isEqualTo(2);
  }

  @Test
  void anUnknownRoleIsRefused() {
    assertThatThrownBy(() -> new OutputAudit(INPUT).result("labels", "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a result role: labels; one of [embeddings, categories, moderation, duplicates]");
  }
}
