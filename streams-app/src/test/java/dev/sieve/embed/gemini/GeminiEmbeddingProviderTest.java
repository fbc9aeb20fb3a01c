package dev.sieve.embed.gemini;

import static dev.sieve.embed.Parts.data;
import static dev.sieve.embed.Parts.text;
import static dev.sieve.embed.Parts.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.MediaPart;
import dev.sieve.embed.BatchRejectedException;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.ProviderUnavailableException;
import dev.sieve.embed.gemini.GeminiEmulator.Fault;
import dev.sieve.embed.gemini.GeminiEmulator.Malformation;
import dev.sieve.embed.gemini.GeminiEmulator.Unreadable;
import dev.sieve.embed.resolve.FetchPolicy;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.testing.CapturedLogs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GeminiEmbeddingProviderTest {

  private static final String KEY = "AIzaTEST-secret-key-0123456789";
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

  private final GeminiEmulator emulator = new GeminiEmulator(KEY);
  private final List<GeminiEmbeddingProvider> providers = new ArrayList<>();

  @AfterEach
  void stop() {
    providers.forEach(GeminiEmbeddingProvider::close);
    emulator.close();
  }

  @Test
  void oneBatchEmbedContentsRequestIsSentAsDocumented() throws Exception {
    GeminiEmbeddingProvider provider = provider(fast());
    provider.embed(List.of(prepare(provider, List.of(text("a cat")), Map.of()),
        prepare(provider, List.of(text("a dog")), Map.of("title", "Pets"))));

    GeminiEmulator.RecordedRequest request = emulator.lastRequest();
    assertThat(request.path()).isEqualTo("/v1/models/gemini-embedding-2:batchEmbedContents");
    assertThat(request.headers()).containsEntry("x-goog-api-key", KEY)
        .containsEntry("content-type", "application/json; charset=utf-8");
    assertThat(request.json()).isEqualTo(new ObjectMapper().readTree("""
        {"requests":[
          {"content":{"parts":[{"text":"task: classification | query: a cat"}],"role":"user"},
           "outputDimensionality":768,"model":"models/gemini-embedding-2"},
          {"content":{"parts":[{"text":"task: classification | query: Pets\\na dog"}],"role":"user"},
           "outputDimensionality":768,"model":"models/gemini-embedding-2"}]}"""));
  }

  @Test
  void mediaGoesInlineAndCloudUrisAsFileData() throws Exception {
    GeminiEmbeddingProvider provider = provider(fast());
    provider.embed(List.of(prepare(provider,
        List.of(data("image/png", PNG), text("caption text"), uri("video/mp4", "gs://bucket/clip.mp4")), Map.of())));

    assertThat(emulator.lastRequest().json()).isEqualTo(new ObjectMapper().readTree("""
        {"requests":[{"content":{"parts":[
            {"text":"task: classification | query: caption text"},
            {"inlineData":{"data":"iVBORwECAw==","mimeType":"image/png"}},
            {"fileData":{"fileUri":"gs://bucket/clip.mp4","mimeType":"video/mp4"}}],"role":"user"},
          "outputDimensionality":768,"model":"models/gemini-embedding-2"}]}"""));
  }

  @Test
  void aBatchOfTextAndMediaGivesOneNormalisedVectorPerInputInOrder() {
    GeminiEmbeddingProvider provider = provider(fast());
    List<List<MediaPart>> contents = List.of(
        List.of(text("one")), List.of(data("image/png", PNG)), List.of(text("three")),
        List.of(text("four"), data("image/jpeg", PNG)), List.of(text("five")));
    List<EmbeddingInput> inputs = contents.stream().map(parts -> prepare(provider, parts, Map.of())).toList();

    List<Embedding> batch = provider.embed(inputs);

    assertThat(batch).hasSize(5);
    assertThat(emulator.requestCount()).as("texts share one request; media one each").isEqualTo(3);
    for (int i = 0; i < inputs.size(); i++) {
      float[] alone = provider.embed(List.of(inputs.get(i))).get(0).vector();
      assertThat(batch.get(i).vector()).hasSize(768).containsExactly(alone);
      assertThat(norm(batch.get(i).vector())).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(batch.get(0).vector()).isNotEqualTo(batch.get(2).vector());
  }

  @Test
  void theSpaceRecordsModelDimensionsAndInstruction() {
    var space = provider(fast()).space();
    assertThat(space.getProvider()).isEqualTo("gemini");
    assertThat(space.getModel()).isEqualTo("gemini-embedding-2");
    assertThat(space.getDimensions()).isEqualTo(768);
    assertThat(space.getInstruction()).isEqualTo("task: classification | query: {content}");
  }

  @Test
  void aStormOf429sIsWaitedOutForAsLongAsTheServerAsks() {
    emulator.next(2, Fault.status(429, Duration.ofMillis(300)));
    GeminiEmbeddingProvider provider = provider(fast());

    assertThat(provider.embed(List.of(prepare(provider, List.of(text("x")), Map.of())))).hasSize(1);

    List<Long> arrivals = emulator.arrivalNanos();
    assertThat(arrivals).hasSize(3);
    assertThat(arrivals.get(1) - arrivals.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    assertThat(arrivals.get(2) - arrivals.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
  }

  @Test
  void serverErrorsAreRetried() {
    emulator.next(1, Fault.status(500, null)).next(1, Fault.status(503, null));
    GeminiEmbeddingProvider provider = provider(fast());

    assertThat(provider.embed(List.of(prepare(provider, List.of(text("x")), Map.of())))).hasSize(1);
    assertThat(emulator.requestCount()).isEqualTo(3);
  }

  @Test
  void everyFailedAttemptIsCountedByItsHttpStatus() {
    emulator.next(1, Fault.status(500, null)).next(1, Fault.status(429, Duration.ofMillis(10)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GeminiEmbeddingProvider provider = new GeminiEmbeddingProvider(fast(), FetchPolicy.NONE, new SieveMetrics(registry));
    providers.add(provider);

    assertThat(provider.embed(List.of(prepare(provider, List.of(text("x")), Map.of())))).hasSize(1);

    assertThat(registry.get("sieve.provider.errors").tags("provider", "gemini", "code", "500").counter().count()).isEqualTo(1);
    assertThat(registry.get("sieve.provider.errors").tags("provider", "gemini", "code", "429").counter().count()).isEqualTo(1);
  }

  @Test
  void whenRetriesRunOutTheProviderIsUnavailableWithTheDelayAskedFor() {
    emulator.next(10, Fault.status(429, Duration.ofMillis(200)));
    GeminiEmbeddingProvider provider = provider(fast());
    EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());

    Throwable thrown = catchThrowable(() -> provider.embed(List.of(input)));

    assertThat(thrown).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("429");
    assertThat(((ProviderUnavailableException) thrown).retryAfter()).contains(Duration.ofMillis(200));
    assertThat(emulator.requestCount()).isEqualTo(3);
  }

  @Test
  void aDelayLongerThanTheLongestBackOffIsNotWaitedForHere() {
    emulator.next(1, Fault.status(429, Duration.ofSeconds(60)));
    GeminiEmbeddingProvider provider = provider(fast());
    EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());

    assertThatThrownBy(() -> provider.embed(List.of(input)))
        .isInstanceOfSatisfying(ProviderUnavailableException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(60)));
    assertThat(emulator.requestCount()).isEqualTo(1);
  }

  @Test
  void aBadRequestRejectsTheBatchWithTheApiMessage() {
    emulator.next(1, Fault.status(400, null));
    GeminiEmbeddingProvider provider = provider(fast());
    EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());

    assertThatThrownBy(() -> provider.embed(List.of(input)))
        .isInstanceOfSatisfying(BatchRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo("provider-rejected"))
        .hasMessageContaining("400 INVALID_ARGUMENT")
        .hasMessageContaining("emulated failure");
    assertThat(emulator.requestCount()).isEqualTo(1);
  }

  @Test
  void aRefusedKeyMakesTheProviderUnavailableNotTheContentBad() {
    GeminiEmbeddingProvider provider = provider(settings("wrong-key", 3, Duration.ofSeconds(5), 0, 0));
    EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());

    assertThatThrownBy(() -> provider.embed(List.of(input)))
        .isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("API key not valid");
  }

  @Test
  void aSlowAnswerTimesOutAndIsRetried() {
    emulator.next(1, Fault.delay(Duration.ofSeconds(3)));
    GeminiEmbeddingProvider provider = provider(settings(KEY, 3, Duration.ofMillis(300), 0, 0));

    long start = System.nanoTime();
    assertThat(provider.embed(List.of(prepare(provider, List.of(text("x")), Map.of())))).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(emulator.requestCount()).isEqualTo(2);
  }

  @Test
  void aHangingProviderIsUnavailableAfterTheAttempts() {
    emulator.next(3, Fault.delay(Duration.ofSeconds(5)));
    GeminiEmbeddingProvider provider = provider(settings(KEY, 3, Duration.ofMillis(200), 0, 0));
    EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());

    assertThatThrownBy(() -> provider.embed(List.of(input)))
        .isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("timeout");
    assertThat(emulator.requestCount()).isEqualTo(3);
  }

  @Test
  void anUnreachableProviderIsUnavailableAndUsableAgainOnceBack() {
    GeminiEmbeddingProvider provider = provider(fast());
    EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());
    emulator.stop();

    assertThatThrownBy(() -> provider.embed(List.of(input))).isInstanceOf(ProviderUnavailableException.class);

    emulator.start();
    assertThat(provider.embed(List.of(input))).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Malformation.class)
  void aMalformedAnswerIsRetriedAndNeverBecomesAVector(Malformation kind) {
    emulator.next(1, Fault.malformed(kind));
    GeminiEmbeddingProvider provider = provider(fast());
    List<EmbeddingInput> inputs = twoTexts(provider);

    List<Embedding> embeddings = provider.embed(inputs);

    assertThat(emulator.requestCount()).isEqualTo(2);
    assertThat(embeddings).hasSize(2).allSatisfy(e -> assertThat(norm(e.vector())).isBetween(0.9999, 1.0001));
  }

  @ParameterizedTest
  @EnumSource(Malformation.class)
  void anAnswerThatStaysMalformedRejectsTheBatchWithAClearReason(Malformation kind) {
    emulator.next(3, Fault.malformed(kind));
    GeminiEmbeddingProvider provider = provider(fast());
    List<EmbeddingInput> inputs = twoTexts(provider);

    assertThatThrownBy(() -> provider.embed(inputs))
        .isInstanceOfSatisfying(BatchRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo("provider-malformed-response"))
        .hasMessageStartingWith("Gemini answered");
  }

  @ParameterizedTest
  @EnumSource(Unreadable.class)
  void anAnswerThatCannotBeReadIsTheServersFaultNotTheContents(Unreadable kind) {
    emulator.next(3, Fault.unreadable(kind));
    GeminiEmbeddingProvider provider = provider(fast());
    List<EmbeddingInput> inputs = twoTexts(provider);

    assertThatThrownBy(() -> provider.embed(inputs)).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("Gemini unavailable");
    assertThat(emulator.requestCount()).isEqualTo(3);
    assertThat(provider.embed(inputs)).hasSize(2)
        .allSatisfy(e -> assertThat(norm(e.vector())).isBetween(0.9999, 1.0001));
  }

  @Test
  void theApiKeyNeverAppearsInLogsMessagesOrToString() {
    GeminiSettings settings = fast();
    List<String> texts = new ArrayList<>();
    try (CapturedLogs logs = new CapturedLogs()) {
      GeminiEmbeddingProvider provider = provider(settings);
      EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());
      emulator.next(3, Fault.status(429, Duration.ofMillis(10)));
      texts.add(messages(catchThrowable(() -> provider.embed(List.of(input)))));
      emulator.next(1, Fault.status(400, null));
      texts.add(messages(catchThrowable(() -> provider.embed(List.of(input)))));
      emulator.next(3, Fault.status(500, null));
      texts.add(messages(catchThrowable(() -> provider.embed(List.of(input)))));
      emulator.stop();
      texts.add(messages(catchThrowable(() -> provider.embed(List.of(input)))));
      texts.add(provider.toString());
      texts.add(settings.toString());
      texts.addAll(logs.lines());
    }
    assertThat(texts).hasSizeGreaterThan(6).noneMatch(text -> text.contains(KEY));
    assertThat(String.join("\n", texts)).contains("Gemini request failed");
  }

  @Test
  void theRateLimiterKeepsRequestsPerWindowWithinTheLimit() throws Exception {
    int limit = 4;
    Duration window = Duration.ofMillis(500);
    GeminiEmbeddingProvider provider = provider(new GeminiSettings("gemini-embedding-2", 768, new Password(KEY),
        null, "us-central1", emulator.baseUrl(), GeminiSettings.DEFAULT_INSTRUCTION, Duration.ofSeconds(5), 64, 8,
        limit, 0, 3, Duration.ofMillis(10), Duration.ofMillis(100), window));
    EmbeddingInput input = prepare(provider, List.of(text("x")), Map.of());
    ExecutorService workers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> calls = IntStream.range(0, 12)
          .mapToObj(i -> workers.submit(() -> provider.embed(List.of(input)))).collect(java.util.stream.Collectors.toList());
      for (Future<?> call : calls) {
        call.get();
      }
    } finally {
      workers.shutdownNow();
    }
    List<Long> arrivals = emulator.arrivalNanos();
    assertThat(arrivals).hasSize(12);
    for (int i = 0; i + limit < arrivals.size(); i++) {
      // Request i+limit may start only once request i has left the window. Arrivals are seen at
      // the emulator, so request i may have spent longer in transit than request i+limit: on a
      // loaded machine 20 ms was not enough margin (seen once). Without the limiter the 12 requests
      // of 4 threads arrive within a few ms of each other.
      assertThat(arrivals.get(i + limit) - arrivals.get(i))
          .as("requests %d and %d", i, i + limit).isGreaterThanOrEqualTo(window.toNanos() - 100_000_000);
    }
  }

  @Test
  void theTokenLimitSpacesOutLargeRequests() {
    GeminiEmbeddingProvider provider = provider(new GeminiSettings("gemini-embedding-2", 768, new Password(KEY),
        null, "us-central1", emulator.baseUrl(), GeminiSettings.DEFAULT_INSTRUCTION, Duration.ofSeconds(5), 64, 8,
        0, 1_000, 3, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(400)));
    EmbeddingInput big = prepare(provider, List.of(text("y".repeat(2_400))), Map.of()); // ~810 tokens

    provider.embed(List.of(big));
    provider.embed(List.of(big));

    List<Long> arrivals = emulator.arrivalNanos();
    assertThat(arrivals.get(1) - arrivals.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(380).toNanos());
  }

  private static String messages(Throwable thrown) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      all.append(t).append(" | ");
    }
    return all.toString();
  }

  private static double norm(float[] vector) {
    double sum = 0;
    for (float v : vector) {
      sum += v * v;
    }
    return Math.sqrt(sum);
  }

  private static List<EmbeddingInput> twoTexts(GeminiEmbeddingProvider provider) {
    return List.of(prepare(provider, List.of(text("a")), Map.of()), prepare(provider, List.of(text("b")), Map.of()));
  }

  private GeminiSettings fast() {
    return settings(KEY, 3, Duration.ofSeconds(5), 0, 0);
  }

  private GeminiSettings settings(String key, int attempts, Duration timeout, int rpm, int tpm) {
    return new GeminiSettings("gemini-embedding-2", 768, new Password(key), null, "us-central1",
        emulator.baseUrl(), GeminiSettings.DEFAULT_INSTRUCTION, timeout, 64, 8, rpm, tpm, attempts,
        Duration.ofMillis(10), Duration.ofMillis(1_000), Duration.ofMinutes(1));
  }

  private GeminiEmbeddingProvider provider(GeminiSettings settings) {
    GeminiEmbeddingProvider provider = new GeminiEmbeddingProvider(settings, FetchPolicy.NONE);
    providers.add(provider);
    return provider;
  }

  private static EmbeddingInput prepare(GeminiEmbeddingProvider provider, List<MediaPart> parts, Map<String, String> attributes) {
    return provider.prepare(parts, attributes);
  }
}
