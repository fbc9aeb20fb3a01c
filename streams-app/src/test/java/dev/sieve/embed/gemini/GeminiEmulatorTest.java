package dev.sieve.embed.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GeminiEmulatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEXT =
      "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec "
          + "romeo sierra tango";

  @Test
  void wordBagVectorsOfTextsSharingMostWordsAreNearAndOfUnrelatedTextsAreNot() throws Exception {
    float[] original = GeminiEmulator.wordBagVectorOf(content(TEXT), 256);
    float[] edited = GeminiEmulator.wordBagVectorOf(content(TEXT.replace("kilo", "zulu")), 256);
    float[] unrelated = GeminiEmulator.wordBagVectorOf(content(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
            + "seventeen eighteen nineteen twenty"), 256);

    assertThat(cosine(original, original)).isCloseTo(1.0, offset(1e-5));
    assertThat(cosine(original, edited)).isBetween(0.9, 0.99);
    assertThat(cosine(original, unrelated)).isBetween(-0.3, 0.3);
    assertThat(GeminiEmulator.wordBagVectorOf(content(TEXT.toUpperCase()), 256)).containsExactly(original);
  }

  @Test
  void contentHashVectorsOfTextsSharingMostWordsAreNotNear() throws Exception {
    float[] original = GeminiEmulator.vectorOf(content(TEXT), 256);
    float[] edited = GeminiEmulator.vectorOf(content(TEXT.replace("kilo", "zulu")), 256);

    assertThat(cosine(original, edited)).isBetween(-0.3, 0.3);
  }

  @Test
  void contentHashVectorsAreNearUnitAtFullSizeAndSmallerSizesAreTheirPrefix() throws Exception {
    float[] full = GeminiEmulator.vectorOf(content(TEXT), GeminiEmulator.FULL_DIMENSIONS);
    float[] small = GeminiEmulator.vectorOf(content(TEXT), 768);

    assertThat(Math.sqrt(dot(full, full))).isCloseTo(1.0, offset(0.05));
    assertThat(small).containsExactly(java.util.Arrays.copyOf(full, 768));
    assertThat(GeminiEmulator.vectorOf(content(TEXT), 768)).containsExactly(small);
  }

  @Test
  void theAnswerOverHttpHoldsExactlyTheContentsVector() throws Exception {
    try (GeminiEmulator emulator = new GeminiEmulator("key")) {
      HttpResponse<String> answer = embed(emulator);

      JsonNode values = JSON.readTree(answer.body()).path("embeddings").path(0).path("values");
      float[] expected = GeminiEmulator.vectorOf(
          JSON.readTree("{\"parts\":[{\"text\":\"hello\"}],\"role\":\"user\"}"), 128);
      assertThat(values).hasSize(128);
      for (int d = 0; d < expected.length; d++) {
        assertThat((float) values.get(d).doubleValue()).isEqualTo(expected[d]);
      }
    }
  }

  @Test
  void answeredValuesParseBackToExactlyTheVectorsFloats() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    float[] edges = {0f, -0f, 1e-8f, -1e-8f, 9.999999e-9f, 0.99999994f, 1f, -1f, 3.5f, Float.MIN_VALUE, 0.1f, 0.5f};
    for (int i = 0; i < 200_000 + edges.length; i++) {
      float value = i < edges.length ? edges[i]
          : (float) (random.nextGaussian() * Math.pow(10, -random.nextInt(12)));
      GeminiEmulator.AsciiJson json = new GeminiEmulator.AsciiJson(4).appendFloat(value);

      assertThat(Float.parseFloat(json.toString())).as(json.toString()).isEqualTo(value);
      // the SDK reads numbers as doubles first, then narrows them
      assertThat((float) JSON.readTree(json.toString()).doubleValue()).as(json.toString()).isEqualTo(value);
    }
    assertThat(new GeminiEmulator.AsciiJson(4).appendFloat(Float.NaN)).hasToString("\"NaN\"");
    assertThat(new GeminiEmulator.AsciiJson(4).appendFloat(0.5f).append(',').appendFloat(-0.015625f)).hasToString("0.5,-0.015625");
  }

  @Test
  void aStandingFaultMeetsEveryRequestUntilLifted() throws Exception {
    try (GeminiEmulator emulator = new GeminiEmulator("key")) {
      emulator.standingFault(GeminiEmulator.Fault.status(429, Duration.ofSeconds(2)));

      HttpResponse<String> first = embed(emulator);
      HttpResponse<String> second = embed(emulator);
      emulator.standingFault(null);
      HttpResponse<String> lifted = embed(emulator);

      assertThat(first.statusCode()).isEqualTo(429);
      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.headers().firstValue("Retry-After")).contains("2");
      assertThat(JSON.readTree(second.body()).path("error").path("status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
      assertThat(lifted.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(lifted.body()).path("embeddings")).hasSize(1);
    }
  }

  private static HttpResponse<String> embed(GeminiEmulator emulator) throws Exception {
    String body = "{\"requests\":[{\"content\":{\"parts\":[{\"text\":\"hello\"}],\"role\":\"user\"},"
        + "\"outputDimensionality\":128,\"model\":\"models/gemini-embedding-2\"}]}";
    HttpRequest request = HttpRequest.newBuilder(
            URI.create(emulator.baseUrl() + "/v1beta/models/gemini-embedding-2:batchEmbedContents"))
        .header("x-goog-api-key", "key").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode content(String text) throws Exception {
    return JSON.readTree("{\"parts\":[{\"text\":" + JSON.writeValueAsString("task: classification | query: " + text)
        + "}],\"role\":\"user\"}");
  }

  private static double dot(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return dot;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
