package dev.sieve.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sieve.avro.MediaPart;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MinHash signature of a content's text: what it covers and how well it estimates Jaccard. */
class LexicalSignatureTest {

  @Test
  void caseSpacingPunctuationAndLineBreaksDoNotChangeTheSignature() {
    String text = "Claim your free prize now, by clicking the link before the offer expires tonight!";
    String rewritten = "CLAIM your free prize now\nby clicking the link --\tbefore the offer expires tonight";
    assertThat(LexicalSignature.of(rewritten)).containsExactly(LexicalSignature.of(text));
    assertThat(LexicalSignature.of("ﬁne print")).containsExactly(LexicalSignature.of("fine print")); // NFKC
  }

  @Test
  void exactJaccardCountsSharedWordPairs() {
    // 10 words, 9 shingles; dropping the last word leaves 8 of them: 8 / 9.
    String text = "one two three four five six seven eight nine ten";
    assertThat(LexicalSignature.exactJaccard(text, "one two three four five six seven eight nine"))
        .isCloseTo(8.0 / 9, within(1e-12));
    // Swapping "five six" changes the 3 shingles around them: 6 shared of 12.
    assertThat(LexicalSignature.exactJaccard(text, "one two three four six five seven eight nine ten"))
        .isCloseTo(6.0 / 12, within(1e-12));
    assertThat(LexicalSignature.exactJaccard("a b", "c d")).isZero();
  }

  @Test
  void theEstimateStaysWithinThreeStandardErrorsOfTheExactJaccard() {
    // Texts of 400 distinct words with controlled overlap: J = shared / (800 - shared) shingles.
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      words.add("w" + i);
    }
    for (int shared : new int[] {0, 100, 200, 267, 320, 360, 399}) {
      String a = String.join(" ", words.subList(0, 400));
      String b = String.join(" ", words.subList(400 - shared, 800 - shared));
      double exact = LexicalSignature.exactJaccard(a, b);
      double standardError = Math.sqrt(exact * (1 - exact) / LexicalSignature.LENGTH);
      assertThat((double) LexicalSignature.jaccard(LexicalSignature.of(a), LexicalSignature.of(b)))
          .as("%d shared words, exact %.3f", shared, exact)
          .isCloseTo(exact, within(3 * standardError + 1e-9));
    }
  }

  @Test
  void onlyTextOnlyContentsHaveASignatureWhichCoversTitleAndCaption() {
    MediaPart text = MediaPart.newBuilder().setText("the meeting moved to friday").build();
    MediaPart image = MediaPart.newBuilder().setData(ByteBuffer.wrap(new byte[] {1, 2}))
        .setMimeType("image/png").build();
    List<Integer> plain = LexicalSignature.ofContent(List.of(text), Map.of());
    assertThat(plain).hasSize(LexicalSignature.LENGTH);
    assertThat(LexicalSignature.ofContent(List.of(image, text), Map.of())).isNull();
    assertThat(LexicalSignature.ofContent(List.of(MediaPart.newBuilder().setText("-- !!").build()), Map.of())).isNull();
    List<Integer> titled = LexicalSignature.ofContent(List.of(text), Map.of("title", "Office news", "owner", "x"));
    assertThat(titled).isNotEqualTo(plain);
    int[] expected = LexicalSignature.of("Office news\nthe meeting moved to friday");
    assertThat(titled).containsExactly(java.util.Arrays.stream(expected).boxed().toArray(Integer[]::new));
  }
}
