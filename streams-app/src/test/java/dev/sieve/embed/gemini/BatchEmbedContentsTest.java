package dev.sieve.embed.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.genai.Client;
import com.google.genai.HttpApiClient;
import com.google.genai.errors.GenAiIOException;
import com.google.genai.types.Blob;
import com.google.genai.types.Content;
import com.google.genai.types.ContentEmbedding;
import com.google.genai.types.EmbedContentConfig;
import com.google.genai.types.EmbedContentResponse;
import com.google.genai.types.FileData;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The call must be the SDK's call: same request, same vectors (checked against the SDK itself, so
 * that an SDK upgrade that changes its request shows here). The documented request is pinned in
 * {@link GeminiEmbeddingProviderTest}.
 */
class BatchEmbedContentsTest {

  private static final String KEY = "AIzaTEST-parity-key";

  private final BatchEmbedContents call = new BatchEmbedContents(
      new HttpApiClient(Optional.of("key"), Optional.of(HttpOptions.builder().baseUrl("http://127.0.0.1:9").build()),
          Optional.empty()),
      "gemini-embedding-2", 3);

  @AfterEach
  void close() {
    call.close();
  }

  @Test
  void itSendsWhatTheSdksEmbedContentSendsAndReadsTheSameVectors() {
    Content media = Content.builder().role("user").parts(List.of(Part.fromText("task: x | query: caption"),
        Part.builder().inlineData(Blob.builder().data(new byte[] {1, 2, 3, (byte) 0xff}).mimeType("image/png")).build(),
        Part.builder().fileData(FileData.builder().fileUri("gs://b/v.mp4").mimeType("video/mp4")).build())).build();
    List<String> texts = List.of("task: x | query: one", "task: x | query: two \"quoted\" \u00e9\n");
    EmbedContentConfig config = EmbedContentConfig.builder().outputDimensionality(768).build();
    try (GeminiEmulator emulator = new GeminiEmulator(KEY);
        Client sdk = Client.builder().apiKey(KEY).httpOptions(HttpOptions.builder().baseUrl(emulator.baseUrl()).build()).build();
        BatchEmbedContents ours = new BatchEmbedContents(new HttpApiClient(Optional.of(KEY),
            Optional.of(HttpOptions.builder().baseUrl(emulator.baseUrl()).build()), Optional.empty()),
            "gemini-embedding-2", 768)) {
      for (boolean withMedia : new boolean[] {true, false}) {
        EmbedContentResponse expected = withMedia ? sdk.models.embedContent("gemini-embedding-2", media, config)
            : sdk.models.embedContent("gemini-embedding-2", texts, config);
        GeminiEmulator.RecordedRequest sdkRequest = emulator.lastRequest();
        List<float[]> vectors = ours.embed(withMedia ? List.of(media)
            : texts.stream().map(text -> Content.builder().role("user").parts(Part.fromText(text)).build()).toList());
        GeminiEmulator.RecordedRequest ourRequest = emulator.lastRequest();

        assertThat(ourRequest.path()).isEqualTo(sdkRequest.path());
        assertThat(ourRequest.json()).isEqualTo(sdkRequest.json());
        for (String header : List.of("x-goog-api-key", "content-type", "user-agent", "x-goog-api-client")) {
          assertThat(ourRequest.headers().get(header)).as(header).isNotNull().isEqualTo(sdkRequest.headers().get(header));
        }
        List<ContentEmbedding> sdkVectors = expected.embeddings().orElseThrow();
        assertThat(vectors).hasSize(sdkVectors.size());
        for (int i = 0; i < vectors.size(); i++) {
          List<Float> values = sdkVectors.get(i).values().orElseThrow();
          assertThat(vectors.get(i)).hasSize(768);
          for (int d = 0; d < 768; d++) {
            assertThat(vectors.get(i)[d]).isEqualTo(values.get(d));
          }
        }
      }
    }
  }

  @Test
  void fieldsOtherThanTheVectorsAreSkippedWhereverTheyAre() throws IOException {
    List<float[]> vectors = read("""
        {"metadata":{"a":[1,{"b":[2]}]},
         "embeddings":[{"shape":[3],"values":[0.25,-1,3.5e-2],"extra":{"values":[9]}},
                       {"values":[1e-3,2,0]}],
         "usageMetadata":{"promptTokenCount":7}}""");

    assertThat(vectors).hasSize(2);
    assertThat(vectors.get(0)).containsExactly(0.25f, -1f, 0.035f);
    assertThat(vectors.get(1)).containsExactly(0.001f, 2f, 0f);
  }

  @Test
  void vectorsAreReadWhateverTheirLengthForTheProviderToJudge() throws IOException {
    List<float[]> vectors = read("{\"embeddings\":[{\"values\":[1,2,3,4,5,6,7,8,9,10]},{\"values\":[]},{}]}");

    assertThat(vectors.get(0)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(vectors.get(1)).isEmpty();
    assertThat(vectors.get(2)).isEmpty();
    assertThat(read("{}")).isEmpty();
  }

  @Test
  void nonFiniteValuesAreReadAsProto3JsonWritesThem() throws IOException {
    float[] vector = read("{\"embeddings\":[{\"values\":[\"NaN\",\"Infinity\",\"-Infinity\"]}]}").get(0);

    assertThat(vector[0]).isNaN();
    assertThat(vector).containsSubsequence(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
  }

  @Test
  void nullValuesAreReadAsNaNForTheProviderToRefuse() throws IOException {
    assertThat(read("{\"embeddings\":[{\"values\":[1,null,3]}]}").get(0)[1]).isNaN();
  }

  @Test
  void anAnswerOfAnotherShapeCannotBeReadAsTheSdkSaysOfAnAnswerItCannotParse() {
    assertThatThrownBy(() -> read("{\"embeddings\":[{\"values\":[1,\"x\",3]}]}"))
        .isInstanceOf(GenAiIOException.class).hasMessageContaining("\"x\"");
    assertThatThrownBy(() -> read("{\"embeddings\":[{\"values\":[1,\"" + "y".repeat(100_000) + "\"]}]}"))
        .isInstanceOf(GenAiIOException.class).message().hasSizeLessThan(400).contains("100000 chars");
    assertThatThrownBy(() -> read("{\"embeddings\":[[1,2,3]]}"))
        .isInstanceOf(GenAiIOException.class).hasMessageContaining("an embedding");
    assertThatThrownBy(() -> read("[]")).isInstanceOf(GenAiIOException.class).hasMessageContaining("the answer");
    assertThatThrownBy(() -> read("{\"embeddings\":[]} {\"embeddings\":[]}"))
        .isInstanceOf(GenAiIOException.class).hasMessageContaining("after its answer");
    assertThatThrownBy(() -> read("{\"embeddings\":[{\"values\":[1,2")).isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> read("<html>502 Bad Gateway</html>")).isInstanceOf(JsonProcessingException.class);
  }

  private List<float[]> read(String answer) throws IOException {
    return call.read(new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)));
  }
}
