package dev.sieve.embed.local;

import dev.sieve.avro.MediaPart;
import dev.sieve.embed.EmbeddingInput;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Measures single-threaded sentences per second of {@link LocalEmbeddingProvider#embed} on 1,000
 * short distinct sentences (after one warm-up pass). Not a test: run its {@code main} with the
 * test classpath; {@link #sentencesPerSecond} is there for a benchmark to call.
 */
public final class LocalEmbeddingThroughput {

  private static final int SENTENCES = 1_000;

  private LocalEmbeddingThroughput() {}

  public static void main(String[] args) {
    try (LocalEmbeddingProvider provider = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS)) {
      sentencesPerSecond(provider);
      System.out.printf("local embed: %.0f sentences/s (1 thread, %d short sentences)%n",
          sentencesPerSecond(provider), SENTENCES);
    }
  }

  /** Embeds {@value #SENTENCES} short sentences in one {@code embed} call; prepare is not timed. */
  public static double sentencesPerSecond(LocalEmbeddingProvider provider) {
    List<EmbeddingInput> inputs =
        IntStream.range(0, SENTENCES)
            .mapToObj(i -> provider.prepare(List.of(sentence(i)), Map.of()))
            .toList();
    long start = System.nanoTime();
    provider.embed(inputs);
    return SENTENCES / ((System.nanoTime() - start) / 1e9);
  }

  private static MediaPart sentence(int i) {
    return MediaPart.newBuilder()
        .setText("Event number " + i + " shows a short clip of a city street at dusk.")
        .build();
  }
}
