package dev.sieve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.embed.local.LocalEmbeddingProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Synthetic texts for benchmarks, English-like in what matters to the model and the index: words
 * drawn by Zipf's law (exponent 1, as word frequencies in natural language) from the whole words
 * of the local model's vocabulary, ranked as that vocabulary lists them (BERT's WordPiece
 * vocabulary lists its words by frequency), so the model sees words it knows and texts spread
 * as texts on many subjects do. A text is deterministic in its seed.
 *
 * <p>Texts drawn from a handful of words instead all land close together in the model's space
 * and share most word pairs: every stored text is then a candidate of every new one, which
 * measures a worst case of the near-duplicate index rather than the pipeline.
 */
final class BenchText {

  private static final Pattern WORD = Pattern.compile("[a-z]{2,}");
  private static final String[] WORDS = words();
  /** Cumulative Zipf weights: entry r is the sum of 1/(k+1) for k up to r. */
  private static final double[] CUMULATIVE = cumulativeZipf(WORDS.length);

  private BenchText() {}

  /** {@code words} words drawn with a generator seeded by {@code seed}, separated by spaces. */
  static String words(long seed, int words) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < words; w++) {
      int rank = Arrays.binarySearch(CUMULATIVE, random.nextDouble() * CUMULATIVE[CUMULATIVE.length - 1]);
      text.append(w == 0 ? "" : " ").append(WORDS[Math.min(WORDS.length - 1, rank < 0 ? -rank - 1 : rank)]);
    }
    return text.toString();
  }

  private static String[] words() {
    try (InputStream in = BenchText.class.getClassLoader()
        .getResourceAsStream(LocalEmbeddingProvider.TOKENIZER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the local model's tokenizer is not on the classpath");
      }
      JsonNode vocabulary = new ObjectMapper().readTree(in).path("model").path("vocab");
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      vocabulary.fields().forEachRemaining(entry -> {
        if (WORD.matcher(entry.getKey()).matches()) {
          entries.add(entry);
        }
      });
      entries.sort(Comparator.comparingInt(entry -> entry.getValue().asInt()));
      return entries.stream().map(Map.Entry::getKey).toArray(String[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double[] cumulativeZipf(int words) {
    double[] cumulative = new double[words];
    double sum = 0;
    for (int rank = 0; rank < words; rank++) {
      sum += 1.0 / (rank + 1);
      cumulative[rank] = sum;
    }
    return cumulative;
  }
}
