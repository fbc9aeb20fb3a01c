package dev.sieve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchTextTest {

  @Test
  void textsAreDeterministicAndDrawWordsByZipfsLawFromTheModelsVocabulary() {
    Map<String, Integer> counts = new HashMap<>();
    int total = 0;
    for (int i = 0; i < 5_000; i++) {
      String text = BenchText.words(i, 20);
      assertThat(BenchText.words(i, 20)).isEqualTo(text);
      for (String word : text.split(" ")) {
        counts.merge(word, 1, Integer::sum);
        total++;
      }
    }

    assertThat(total).isEqualTo(100_000);
    // the vocabulary's first whole word (its most frequent) takes about 1/H(n) of all draws: ~9.6 %
    // for n = 21,719 words; the second half as many, the third a third (Zipf, exponent 1)
    assertThat(counts.get("the") / (double) total).isBetween(0.085, 0.105);
    assertThat(counts.get("of") / (double) counts.get("the")).isBetween(0.45, 0.55);
    assertThat(counts.get("and") / (double) counts.get("the")).isBetween(0.29, 0.38);
    // and the long tail is there: most words of the vocabulary turn up in 100,000 draws
    assertThat(counts).hasSizeGreaterThan(10_000);
  }
}
