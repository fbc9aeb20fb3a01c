package dev.sieve.embed.local;

import static dev.sieve.embed.Parts.data;
import static dev.sieve.embed.Parts.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.UnembeddableContentException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalEmbeddingProviderTest {

  private static final String FOOTBALL_1 = "The striker scored a late goal to win the football match.";
  private static final String FOOTBALL_2 = "A last-minute goal gave the soccer team victory in the game.";
  private static final String COOKING = "Simmer the onions in butter until golden, then add the garlic.";

  private static LocalEmbeddingProvider provider;

  @BeforeAll
  static void loadModel() {
    provider = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS);
  }

  @AfterAll
  static void closeModel() {
    provider.close();
  }

  @Test
  void spaceIsLocalMiniLmWith384Dimensions() {
    assertThat(provider.space())
        .isEqualTo(new ModelSpace("local", "all-MiniLM-L6-v2-q", 384, ""));
  }

  @Test
  void vectorsHave384DimensionsAndUnitLength() {
    float[] vector = embedText(FOOTBALL_1).vector();

    assertThat(vector).hasSize(384);
    assertThat(norm(vector)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void similarSentencesAreCloserThanUnrelatedOnes() {
    float[] football1 = embedText(FOOTBALL_1).vector();
    float[] football2 = embedText(FOOTBALL_2).vector();
    float[] cooking = embedText(COOKING).vector();

    assertThat(cosine(football1, football2))
        .isGreaterThan(cosine(football1, cooking))
        .isGreaterThan(cosine(football2, cooking));
  }

  @Test
  void sameTextGivesBitIdenticalVectorsWhateverElseIsInTheBatch() {
    float[] alone = embedText(FOOTBALL_1).vector();

    List<Embedding> smallBatch = provider.embed(List.of(prepare(COOKING), prepare(FOOTBALL_1)));
    List<Embedding> largeBatch =
        provider.embed(
            List.of(prepare(words(200)), prepare(FOOTBALL_2), prepare(FOOTBALL_1), prepare("Hi")));

    assertThat(smallBatch.get(1).vector()).isEqualTo(alone);
    assertThat(largeBatch.get(2).vector()).isEqualTo(alone);
  }

  @Test
  void concurrentCallsGiveTheSameVectorsAsOneThread() throws Exception {
    List<String> texts = List.of(FOOTBALL_1, FOOTBALL_2, COOKING, words(300));
    List<float[]> expected = provider.embed(texts.stream().map(this::prepare).toList()).stream().map(Embedding::vector).toList();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Embedding>>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        List<String> shuffled = new ArrayList<>(texts);
        Collections.rotate(shuffled, i);
        results.add(threads.submit(() -> provider.embed(shuffled.stream().map(this::prepare).toList())));
      }
      for (int i = 0; i < results.size(); i++) {
        List<Embedding> embeddings = new ArrayList<>(results.get(i).get());
        Collections.rotate(embeddings, -i);
        for (int t = 0; t < texts.size(); t++) {
          assertThat(embeddings.get(t).vector()).isEqualTo(expected.get(t));
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void textWithinTheTokenLimitIsNotTruncated() {
    assertThat(embedText(FOOTBALL_1).truncated()).isFalse();
    // 254 single-piece words plus [CLS] and [SEP] fill the 256 tokens exactly.
    assertThat(embedText(words(254)).truncated()).isFalse();
  }

  @Test
  void textOverTheTokenLimitIsTruncatedToItsFirst256Tokens() {
    Embedding exactlyAtLimit = embedText(words(254));
    Embedding oneWordOver = embedText(words(255));

    assertThat(oneWordOver.truncated()).isTrue();
    assertThat(oneWordOver.vector()).isEqualTo(exactlyAtLimit.vector());
  }

  @Test
  void longTextsThatShareTheirBeginningGiveTheSameVector() {
    Embedding first = embedText(words(300) + " and then the story ends happily.");
    Embedding second = embedText(words(300) + " but a storm destroyed the entire city overnight.");

    assertThat(first.truncated()).isTrue();
    assertThat(second.truncated()).isTrue();
    assertThat(first.vector()).isEqualTo(second.vector());
  }

  @Test
  void titleAndCaptionAreEmbeddedBeforeTheText() {
    Embedding withAttributes =
        embed(List.of(text(FOOTBALL_1)), Map.of("title", "Match report", "caption", "Stadium at night"));

    assertThat(withAttributes.vector())
        .isEqualTo(embedText("Match report\nStadium at night\n" + FOOTBALL_1).vector());
  }

  @Test
  void contentWithOnlyAnImageIsRejectedNamingItsType() {
    UnembeddableContentException e =
        catchThrowableOfType(
            () -> provider.prepare(List.of(data("image/png", new byte[] {1, 2, 3})), Map.of()),
            UnembeddableContentException.class);

    assertThat(e.reason()).isEqualTo("unsupported-modality-for-provider");
    assertThat(e).hasMessageContaining("image/png");
  }

  @Test
  void pdfTextEmbedsLikeTheSameTextPart() {
    byte[] pdf = TestPdfs.withPages(FOOTBALL_1);

    float[] fromPdf = embed(List.of(data("application/pdf", pdf)), Map.of()).vector();

    assertThat(cosine(fromPdf, embedText(FOOTBALL_1).vector())).isGreaterThan(0.99);
  }

  @Test
  void rejectsInputPreparedByAnotherProvider() {
    EmbeddingInput foreign = new EmbeddingInput() {};

    assertThatThrownBy(() -> provider.embed(List.of(foreign)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("input was not prepared by the local provider");
  }

  @Test
  void missingModelFailsAtStartupNamingTheResource() {
    assertThatThrownBy(() -> new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS, "no-such-model.onnx"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'no-such-model.onnx' is not on the classpath");
  }

  private EmbeddingInput prepare(String text) {
    return provider.prepare(List.of(text(text)), Map.of());
  }

  private Embedding embedText(String text) {
    return provider.embed(List.of(prepare(text))).get(0);
  }

  private static Embedding embed(List<MediaPart> parts, Map<String, String> attributes) {
    return provider.embed(List.of(provider.prepare(parts, attributes))).get(0);
  }

  /** {@code count} common words, each a single word piece. */
  private static String words(int count) {
    String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "home"};
    return String.join(" ", IntStream.range(0, count).mapToObj(i -> words[i % words.length]).toList());
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot / (norm(a) * norm(b));
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    return Math.sqrt(sum);
  }
}
