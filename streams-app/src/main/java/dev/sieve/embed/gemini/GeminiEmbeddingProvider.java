package dev.sieve.embed.gemini;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.genai.Client;
import com.google.genai.HttpApiClient;
import com.google.genai.JsonSerializable;
import com.google.genai.errors.ApiException;
import com.google.genai.errors.ClientException;
import com.google.genai.errors.GenAiIOException;
import com.google.genai.errors.ServerException;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.Content;
import com.google.genai.types.ContentEmbedding;
import com.google.genai.types.EmbedContentConfig;
import com.google.genai.types.EmbedContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.embed.BatchRejectedException;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.ProviderUnavailableException;
import dev.sieve.embed.resolve.ContentFetcher;
import dev.sieve.embed.resolve.FetchPolicy;
import dev.sieve.metrics.SieveMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider {@code gemini}: Gemini Embedding 2 through the Google GenAI SDK, natively multimodal;
 * each content (see {@link GeminiContents}) gives one vector. The space is {@code gemini / model /
 * dimensions / instruction}: the instruction is part of it because another instruction gives
 * incomparable vectors.
 *
 * <p><b>Batches.</b> Text-only inputs of a batch go in one {@code batchEmbedContents} request (one
 * request entry per text); every input with media is its own request, so that one request never
 * carries many inline media. These requests run at once (at most {@value
 * GeminiSettings#MAX_CONCURRENT_REQUESTS} per provider), and the vectors come back in input order.
 * With an API key the request is written and its answer read by {@link BatchEmbedContents} (the
 * SDK's own conversion of an answer was most of the embed workers' CPU). With Vertex AI every
 * input is its own request through the SDK's {@code embedContent}: for Gemini embedding models
 * Vertex takes one content per call.
 *
 * <p><b>Failures.</b> The SDK's own retries are off (one attempt). Sieve retries HTTP 408, 429,
 * 5xx, time-outs, unreachable servers and malformed answers up to {@value
 * GeminiSettings#RETRY_ATTEMPTS} attempts, with exponential back-off and jitter; the delay a 429
 * asks for is honoured. The SDK does not expose response headers, so that delay is read from the
 * message Google writes ({@code "Please retry in 17.5s."}, also in its RetryInfo); a server that
 * asks for longer than {@value GeminiSettings#RETRY_MAX_BACKOFF_MS} is not waited for here: the
 * caller is told at once. Then:
 *
 * <ul>
 *   <li>still throttled, failing or unreachable, or answering what cannot be read as vectors
 *       (not JSON, cut short, another shape: a proxy's error page) → {@link
 *       ProviderUnavailableException} with the asked delay; so are refused credentials (401, 403,
 *       and the 400 Google gives for an invalid API key): no content is at fault, nothing must go
 *       to the DLQ;
 *   <li>any other 4xx → {@link BatchRejectedException} {@value #REJECTED} with the API's message;
 *   <li>answers still malformed (wrong count, wrong length, NaN or infinite values, zero vector)
 *       → {@link BatchRejectedException} {@value #MALFORMED}: retried one by one by the caller, a
 *       content that keeps getting a broken answer ends in the DLQ instead of blocking the stream.
 *       A malformed vector is never returned.
 * </ul>
 *
 * <p>Vectors are L2-normalised here: the API normalises only full 3,072-dimension vectors. The API
 * key never appears in logs, messages or {@code toString}.
 */
public final class GeminiEmbeddingProvider implements EmbeddingProvider {

  public static final String PROVIDER = "gemini";
  public static final String REJECTED = "provider-rejected";
  public static final String MALFORMED = "provider-malformed-response";

  private static final Logger log = LoggerFactory.getLogger(GeminiEmbeddingProvider.class);
  private static final Pattern RETRY_IN = Pattern.compile("(?i)retry in (\\d+(?:\\.\\d+)?)s");

  private final GeminiSettings settings;
  /** The Gemini API's call (API key), or null with Vertex AI. */
  private final BatchEmbedContents batchEmbed;
  /** Vertex AI's calls through the SDK, or null with an API key. */
  private final Client vertex;
  private final EmbedContentConfig config;
  private final GeminiContents contents;
  private final RequestQuota quota;
  private final ExecutorService requests;
  private final SieveMetrics metrics;

  public GeminiEmbeddingProvider(GeminiSettings settings, FetchPolicy fetchPolicy) {
    this(settings, fetchPolicy, SieveMetrics.disabled());
  }

  /** @param metrics counts every failed request attempt by HTTP status ({@code io}, {@code malformed} without one) */
  public GeminiEmbeddingProvider(GeminiSettings settings, FetchPolicy fetchPolicy, SieveMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
    HttpOptions http = httpOptions(settings);
    ClientOptions connections = ClientOptions.builder()
        .maxConnections(settings.maxConcurrentRequests() * 4)
        .maxConnectionsPerHost(settings.maxConcurrentRequests() * 4).build();
    if (settings.vertexAi()) {
      this.batchEmbed = null;
      this.vertex = vertexClient(settings, http, connections);
    } else {
      this.batchEmbed = new BatchEmbedContents(
          new HttpApiClient(Optional.of(settings.apiKey().value()), Optional.of(http), Optional.of(connections)),
          settings.model(), settings.dimensions());
      this.vertex = null;
    }
    this.config = EmbedContentConfig.builder().outputDimensionality(settings.dimensions()).build();
    this.contents = new GeminiContents(new TaskInstruction(settings.instruction()), new ContentFetcher(fetchPolicy));
    this.quota = new RequestQuota(settings.requestsPerMinute(), settings.tokensPerMinute(), settings.quotaWindow());
    AtomicInteger threads = new AtomicInteger();
    this.requests = Executors.newFixedThreadPool(settings.maxConcurrentRequests(), runnable -> {
      Thread thread = new Thread(runnable, "gemini-request-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  private static HttpOptions httpOptions(GeminiSettings settings) {
    HttpOptions.Builder http = HttpOptions.builder()
        .timeout((int) Math.min(Integer.MAX_VALUE, settings.requestTimeout().toMillis()))
        // One attempt: retries are Sieve's (see the class comment).
        .retryOptions(HttpRetryOptions.builder().attempts(1).build());
    if (settings.baseUrl() != null) {
      http.baseUrl(settings.baseUrl());
    }
    return http.build();
  }

  private static Client vertexClient(GeminiSettings settings, HttpOptions http, ClientOptions connections) {
    // An answer holds batch x dimensions numbers, which the SDK's shared mapper parses with the
    // JDK's double parser unless told otherwise. The fast parser gives the same doubles.
    JsonSerializable.objectMapper().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
    return Client.builder().httpOptions(http).clientOptions(connections)
        .vertexAI(true).project(settings.vertexProject()).location(settings.vertexLocation())
        .build();
  }

  @Override
  public ModelSpace space() {
    return ModelSpace.newBuilder()
        .setProvider(PROVIDER)
        .setModel(settings.model())
        .setDimensions(settings.dimensions())
        .setInstruction(settings.instruction())
        .build();
  }

  /** See {@link GeminiContents} for the layout, the limits and their reason codes. */
  @Override
  public EmbeddingInput prepare(List<MediaPart> parts, Map<String, String> attributes) {
    return contents.prepare(parts, attributes);
  }

  @Override
  public int maxBatchSize() {
    return settings.maxBatchSize();
  }

  /** See the class comment for how a batch is sent and how failures are reported. */
  @Override
  public List<Embedding> embed(List<EmbeddingInput> inputs) {
    if (inputs.size() > settings.maxBatchSize()) {
      throw new IllegalArgumentException(inputs.size() + " inputs; at most " + settings.maxBatchSize()
          + " per call (" + GeminiSettings.MAX_BATCH_SIZE + ")");
    }
    List<GeminiInput> own = inputs.stream().map(GeminiEmbeddingProvider::own).toList();
    List<Integer> texts = new ArrayList<>();
    List<Request> calls = new ArrayList<>();
    for (int i = 0; i < own.size(); i++) {
      if (own.get(i).textOnly()) {
        texts.add(i);
      } else {
        calls.addAll(requests(own, List.of(i)));
      }
    }
    if (!texts.isEmpty()) {
      calls.addAll(0, requests(own, texts));
    }
    float[][] vectors = new float[own.size()][];
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (int c = 1; c < calls.size(); c++) {
      Request call = calls.get(c);
      pending.add(CompletableFuture.runAsync(() -> fill(vectors, call), requests));
    }
    RuntimeException failure = null;
    if (!calls.isEmpty()) {
      failure = attempt(() -> fill(vectors, calls.get(0)), null);
    }
    for (CompletableFuture<Void> future : pending) {
      failure = attempt(future::join, failure);
    }
    if (failure != null) {
      throw failure;
    }
    List<Embedding> embeddings = new ArrayList<>(own.size());
    for (int i = 0; i < own.size(); i++) {
      embeddings.add(new Embedding(vectors[i], own.get(i).truncated()));
    }
    return embeddings;
  }

  /** Runs a step; of several failures, "unavailable" wins: no input may go to the DLQ for it. */
  private static RuntimeException attempt(Runnable step, RuntimeException earlier) {
    try {
      step.run();
      return earlier;
    } catch (CompletionException e) {
      return worse(earlier, e.getCause() instanceof RuntimeException r ? r : e);
    } catch (RuntimeException e) {
      return worse(earlier, e);
    }
  }

  private static RuntimeException worse(RuntimeException a, RuntimeException b) {
    if (a == null) {
      return b;
    }
    return a instanceof ProviderUnavailableException || !(b instanceof ProviderUnavailableException) ? a : b;
  }

  private record Request(List<Integer> indices, int tokens, Supplier<List<float[]>> send) {}

  /** The requests for the inputs at {@code indices} (all text when several): one, or one each on Vertex AI. */
  private List<Request> requests(List<GeminiInput> inputs, List<Integer> indices) {
    if (batchEmbed != null) {
      List<GeminiInput> entries = indices.stream().map(inputs::get).toList();
      List<Content> contents = entries.stream().map(GeminiInput::content).toList();
      int tokens = entries.stream().mapToInt(GeminiInput::estimatedTokens).sum();
      return List.of(new Request(indices, tokens, () -> batchEmbed.embed(contents)));
    }
    return indices.stream().map(i -> {
      GeminiInput input = inputs.get(i);
      return new Request(List.of(i), input.estimatedTokens(),
          () -> values(vertex.models.embedContent(settings.model(), input.content(), config)));
    }).toList();
  }

  /** The SDK's answer as raw vectors; a missing value becomes NaN, which {@link #vectors} refuses. */
  private static List<float[]> values(EmbedContentResponse response) {
    List<float[]> vectors = new ArrayList<>();
    for (ContentEmbedding embedding : response.embeddings().orElse(List.of())) {
      List<Float> values = embedding.values().orElse(List.of());
      float[] vector = new float[values.size()];
      for (int d = 0; d < vector.length; d++) {
        Float value = values.get(d);
        vector[d] = value == null ? Float.NaN : value;
      }
      vectors.add(vector);
    }
    return vectors;
  }

  private void fill(float[][] vectors, Request request) {
    List<float[]> answer = send(request);
    for (int k = 0; k < request.indices().size(); k++) {
      vectors[request.indices().get(k)] = answer.get(k);
    }
  }

  /** One request with Sieve's retries: see the class comment. */
  private List<float[]> send(Request request) {
    RuntimeException last = null;
    Duration retryAfter = null;
    for (int attempt = 1; attempt <= settings.retryAttempts(); attempt++) {
      if (attempt > 1) {
        Duration backoff = backoff(attempt - 1);
        if (retryAfter != null && retryAfter.compareTo(settings.retryMaxBackoff()) > 0) {
          break;
        }
        Duration wait = retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
        log.debug("Gemini request failed ({}); attempt {} of {} in {} ms", last.getMessage(), attempt,
            settings.retryAttempts(), wait.toMillis());
        sleep(wait);
      }
      retryAfter = null;
      try {
        quota.acquire(request.tokens());
        return vectors(request.send().get(), request.indices().size());
      } catch (ClientException e) {
        metrics.providerError(PROVIDER, Integer.toString(e.code()));
        if (e.code() == 429 || e.code() == 408) {
          retryAfter = retryAfter(e.message());
          last = e;
        } else if (refusedCredentials(e)) {
          throw new ProviderUnavailableException("Gemini refused the credentials (HTTP " + e.code() + " "
              + e.status() + "): " + e.message(), null, null);
        } else {
          throw new BatchRejectedException(REJECTED, "Gemini rejected the request (HTTP " + e.code() + " "
              + e.status() + "): " + e.message());
        }
      } catch (ServerException | GenAiIOException | MalformedAnswer e) {
        metrics.providerError(PROVIDER, e instanceof ApiException api ? Integer.toString(api.code())
            : e instanceof MalformedAnswer ? "malformed" : "io");
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProviderUnavailableException("interrupted while waiting for the Gemini quota", null, e);
      }
    }
    if (last instanceof MalformedAnswer) {
      throw new BatchRejectedException(MALFORMED, last.getMessage() + " (after " + settings.retryAttempts() + " attempts)");
    }
    throw new ProviderUnavailableException("Gemini unavailable: " + describe(last), retryAfter, last);
  }

  /** Exponential, capped, with "equal jitter": between half and all of the step. */
  private Duration backoff(int retry) {
    long step = settings.retryInitialBackoff().toMillis() << Math.min(retry - 1, 30);
    long capped = Math.min(step, settings.retryMaxBackoff().toMillis());
    return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
  }

  private static Duration retryAfter(String message) {
    Matcher matcher = RETRY_IN.matcher(message == null ? "" : message);
    return matcher.find() ? Duration.ofMillis((long) Math.ceil(Double.parseDouble(matcher.group(1)) * 1000)) : null;
  }

  private static boolean refusedCredentials(ApiException e) {
    return e.code() == 401 || e.code() == 403
        || (e.code() == 400 && e.message() != null && e.message().contains("API key"));
  }

  private static String describe(Throwable error) {
    if (error instanceof ApiException api) {
      return "HTTP " + api.code() + " " + api.status() + ": " + api.message();
    }
    return error.getMessage() + (error.getCause() == null ? "" : " (" + error.getCause().getMessage() + ")");
  }

  /** Checks the answer and normalises its vectors in place; a broken answer never becomes a vector. */
  private List<float[]> vectors(List<float[]> answer, int expected) {
    if (answer.size() != expected) {
      throw new MalformedAnswer("Gemini answered " + answer.size() + " embeddings for " + expected + " inputs");
    }
    for (int i = 0; i < expected; i++) {
      float[] vector = answer.get(i);
      if (vector.length != settings.dimensions()) {
        throw new MalformedAnswer("Gemini answered a vector of " + vector.length + " values for input " + i
            + "; expected " + settings.dimensions());
      }
      double norm = 0;
      for (int d = 0; d < vector.length; d++) {
        float value = vector[d];
        if (!Float.isFinite(value)) {
          throw new MalformedAnswer("Gemini answered a vector with value " + value + " at " + d + " for input " + i);
        }
        norm += (double) value * value;
      }
      if (norm == 0) {
        throw new MalformedAnswer("Gemini answered a zero vector for input " + i);
      }
      double scale = 1 / Math.sqrt(norm);
      for (int d = 0; d < vector.length; d++) {
        vector[d] = (float) (vector[d] * scale);
      }
    }
    return answer;
  }

  private static GeminiInput own(EmbeddingInput input) {
    if (input instanceof GeminiInput gemini) {
      return gemini;
    }
    throw new IllegalArgumentException("input was not prepared by the gemini provider: " + input.getClass().getName());
  }

  private static void sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException("interrupted while backing off", wait, e);
    }
  }

  @Override
  public void close() {
    requests.shutdownNow();
    if (batchEmbed != null) {
      batchEmbed.close();
    } else {
      vertex.close();
    }
  }

  /** An answer that cannot be turned into vectors. */
  private static final class MalformedAnswer extends RuntimeException {
    MalformedAnswer(String message) {
      super(message);
    }
  }

  @Override
  public String toString() {
    return "GeminiEmbeddingProvider[" + space() + (settings.vertexAi() ? ", vertex " + settings.vertexProject() : "")
        + (settings.baseUrl() == null ? "" : ", " + settings.baseUrl()) + "]";
  }
}
