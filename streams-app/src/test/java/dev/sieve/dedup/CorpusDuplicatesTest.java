package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.embed.local.LocalEmbeddingProvider;
import dev.sieve.embed.local.LocalModelSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The real-corpus measurement on a handful of e-mails of different topics, with the local model. */
class CorpusDuplicatesTest {

  private static final List<CorpusDuplicates.Mail> MAILS = List.of(
      new CorpusDuplicates.Mail("a", "Meeting moved. The quarterly planning meeting with the finance team is moved from "
          + "Tuesday to Thursday at ten in the large conference room on the third floor; please bring the budget "
          + "spreadsheets and the list of open purchase orders."),
      new CorpusDuplicates.Mail("b", "Cheap meds online! Buy cheap pills without a prescription, discreet shipping "
          + "worldwide, lowest prices guaranteed, order now and get a free bonus pack with every purchase today."),
      new CorpusDuplicates.Mail("c", "Kernel build fails. After upgrading gcc the kernel build fails while linking the "
          + "network driver module; the error says undefined reference to a symbol that moved between headers."),
      new CorpusDuplicates.Mail("b-again", "Cheap meds online! Buy cheap pills without a prescription, discreet shipping "
          + "worldwide, lowest prices guaranteed, order now and get a free bonus pack with every purchase today."),
      new CorpusDuplicates.Mail("d", "Garden club news. The spring plant sale is on Saturday morning at the community "
          + "hall; volunteers are needed to set up tables, price seedlings and run the tea stall."));

  @Test
  void editedCopiesAreFoundExactDuplicatesAreExactAndDifferentMailsAreNotFlagged() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Map<String, Object> figures;
    try (var provider = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS)) {
      figures = new CorpusDuplicates(provider, DedupSettings.DEFAULTS).run(MAILS, MAILS.size(), 1,
          new double[] {0.85}, 3L, null, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }
    assertThat(figures).containsEntry("emails", 5).containsEntry("distinctTexts", 4L).containsEntry("editedCopies", 4);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) figures.get("byThreshold");
    assertThat(rows).extracting(row -> row.get("signal")).containsExactly("cosine", "cosine+lexical");
    assertThat(rows).allSatisfy(row -> assertThat(row)
        .containsEntry("editedCopies", 4).containsEntry("editedCopiesFound", 4)
        .containsEntry("nearFlags", 4).containsEntry("nearFlagsPlanted", 4)
        .containsEntry("exactDuplicates", 1).containsEntry("exactDuplicatesFlagged", 1));
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("recall 1.000");
  }

  @Test
  void reWrappingBreaksLinesBetweenWordsOnly() {
    String text = "one two three four five six seven eight nine ten eleven twelve";
    String wrapped = CorpusDuplicates.wrapped(text, 15);
    assertThat(wrapped).isEqualTo("one two three\nfour five six\nseven eight\nnine ten eleven\ntwelve");
    assertThat(wrapped.replace('\n', ' ')).isEqualTo(text);
  }

  @Test
  void replacingWordsKeepsTheWordCount() {
    String text = "alpha beta gamma delta epsilon zeta";
    String edited = CorpusDuplicates.replaceWords(text, "x y", 3, new SplittableRandom(1));
    assertThat(edited.split(" ")).hasSize(6);
    assertThat(edited).isNotEqualTo(text);
  }
}
