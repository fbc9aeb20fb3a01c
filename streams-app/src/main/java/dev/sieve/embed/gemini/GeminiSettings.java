package dev.sieve.embed.gemini;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the Gemini provider. Credentials: Vertex AI when {@value #VERTEX_PROJECT} is set
 * (credentials from Application Default Credentials), else the API key from {@value #API_KEY},
 * else from the environment variable {@code GEMINI_API_KEY}, else {@code GOOGLE_API_KEY}. The key
 * is held as a {@link Password}, so it prints as {@code [hidden]}.
 *
 * @param instruction {@value #INSTRUCTION}: see {@link TaskInstruction}
 * @param requestsPerMinute {@value #REQUESTS_PER_MINUTE}; 0 = no client-side limit
 * @param tokensPerMinute {@value #TOKENS_PER_MINUTE}; 0 = no client-side limit
 * @param retryAttempts {@value #RETRY_ATTEMPTS}: attempts per request, the first included
 * @param quotaWindow the window both rate limits are counted over: one minute, shorter in tests
 */
public record GeminiSettings(
    String model,
    int dimensions,
    Password apiKey,
    String vertexProject,
    String vertexLocation,
    String baseUrl,
    String instruction,
    Duration requestTimeout,
    int maxBatchSize,
    int maxConcurrentRequests,
    int requestsPerMinute,
    int tokensPerMinute,
    int retryAttempts,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    Duration quotaWindow) {

  public static final String MODEL = "sieve.gemini.model";
  public static final String DIMENSIONS = "sieve.gemini.dimensions";
  public static final String API_KEY = "sieve.gemini.api.key";
  public static final String VERTEX_PROJECT = "sieve.gemini.vertex.project";
  public static final String VERTEX_LOCATION = "sieve.gemini.vertex.location";
  public static final String BASE_URL = "sieve.gemini.base.url";
  public static final String INSTRUCTION = "sieve.gemini.instruction";
  public static final String REQUEST_TIMEOUT_MS = "sieve.gemini.request.timeout.ms";
  public static final String MAX_BATCH_SIZE = "sieve.gemini.max.batch.size";
  public static final String MAX_CONCURRENT_REQUESTS = "sieve.gemini.max.concurrent.requests";
  public static final String REQUESTS_PER_MINUTE = "sieve.gemini.requests.per.minute";
  public static final String TOKENS_PER_MINUTE = "sieve.gemini.tokens.per.minute";
  public static final String RETRY_ATTEMPTS = "sieve.gemini.retry.attempts";
  public static final String RETRY_INITIAL_BACKOFF_MS = "sieve.gemini.retry.initial.backoff.ms";
  public static final String RETRY_MAX_BACKOFF_MS = "sieve.gemini.retry.max.backoff.ms";

  public static final String DEFAULT_MODEL = "gemini-embedding-2";
  public static final int DEFAULT_DIMENSIONS = 768;
  public static final int MIN_DIMENSIONS = 128;
  public static final int MAX_DIMENSIONS = 3072;
  public static final String DEFAULT_VERTEX_LOCATION = "us-central1";
  public static final String DEFAULT_INSTRUCTION = "task: classification | query: {content}";
  public static final int DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  /** The API takes at most 100 entries in one batchEmbedContents request. */
  public static final int MAX_BATCH_LIMIT = 100;
  public static final int DEFAULT_MAX_BATCH_SIZE = 64;
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 8;
  /** Tier 1's published quotas (PLATFORM-FACTS); lower them to a project's real quota. */
  public static final int DEFAULT_REQUESTS_PER_MINUTE = 3_000;
  public static final int DEFAULT_TOKENS_PER_MINUTE = 1_000_000;
  public static final int DEFAULT_RETRY_ATTEMPTS = 4;
  public static final int DEFAULT_RETRY_INITIAL_BACKOFF_MS = 500;
  public static final int DEFAULT_RETRY_MAX_BACKOFF_MS = 20_000;

  /** @throws IllegalArgumentException naming the setting when a value is missing or out of range */
  public GeminiSettings {
    requireNonBlank(MODEL, model);
    requireRange(DIMENSIONS, dimensions, MIN_DIMENSIONS, MAX_DIMENSIONS);
    if (vertexProject == null && (apiKey == null || apiKey.value().isBlank())) {
      throw new IllegalArgumentException("the gemini provider needs an API key (" + API_KEY
          + ", or the environment variable GEMINI_API_KEY or GOOGLE_API_KEY) or a Vertex AI project ("
          + VERTEX_PROJECT + ")");
    }
    if (vertexProject != null) {
      requireNonBlank(VERTEX_PROJECT, vertexProject);
      requireNonBlank(VERTEX_LOCATION, vertexLocation);
    }
    TaskInstruction.validate(INSTRUCTION, instruction);
    requirePositive(REQUEST_TIMEOUT_MS, requestTimeout);
    requireRange(MAX_BATCH_SIZE, maxBatchSize, 1, MAX_BATCH_LIMIT);
    requireRange(MAX_CONCURRENT_REQUESTS, maxConcurrentRequests, 1, 1_000);
    requireRange(REQUESTS_PER_MINUTE, requestsPerMinute, 0, Integer.MAX_VALUE);
    requireRange(TOKENS_PER_MINUTE, tokensPerMinute, 0, Integer.MAX_VALUE);
    requireRange(RETRY_ATTEMPTS, retryAttempts, 1, 100);
    requirePositive(RETRY_INITIAL_BACKOFF_MS, retryInitialBackoff);
    requirePositive(RETRY_MAX_BACKOFF_MS, retryMaxBackoff);
    if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
      throw new IllegalArgumentException(RETRY_MAX_BACKOFF_MS + " (" + retryMaxBackoff.toMillis()
          + ") must not be less than " + RETRY_INITIAL_BACKOFF_MS + " (" + retryInitialBackoff.toMillis() + ")");
    }
    requirePositive("quota window", quotaWindow);
  }

  /**
   * From the parsed values of {@code SieveConfig} (types as its definition declares them) and the
   * process environment (for the API key).
   */
  public static GeminiSettings from(Map<String, ?> values, Map<String, String> environment) {
    Password key = (Password) values.get(API_KEY);
    if (key == null) {
      String fromEnvironment = environment.getOrDefault("GEMINI_API_KEY", environment.get("GOOGLE_API_KEY"));
      key = fromEnvironment == null ? null : new Password(fromEnvironment);
    }
    return new GeminiSettings(
        (String) values.get(MODEL),
        (Integer) values.get(DIMENSIONS),
        key,
        (String) values.get(VERTEX_PROJECT),
        (String) values.get(VERTEX_LOCATION),
        (String) values.get(BASE_URL),
        (String) values.get(INSTRUCTION),
        Duration.ofMillis((Integer) values.get(REQUEST_TIMEOUT_MS)),
        (Integer) values.get(MAX_BATCH_SIZE),
        (Integer) values.get(MAX_CONCURRENT_REQUESTS),
        (Integer) values.get(REQUESTS_PER_MINUTE),
        (Integer) values.get(TOKENS_PER_MINUTE),
        (Integer) values.get(RETRY_ATTEMPTS),
        Duration.ofMillis((Integer) values.get(RETRY_INITIAL_BACKOFF_MS)),
        Duration.ofMillis((Integer) values.get(RETRY_MAX_BACKOFF_MS)),
        Duration.ofMinutes(1));
  }

  /** Defaults with this key and base URL: a starting point for tests and benchmarks. */
  public static GeminiSettings forApiKey(String apiKey, String baseUrl) {
    return new GeminiSettings(DEFAULT_MODEL, DEFAULT_DIMENSIONS, new Password(apiKey), null,
        DEFAULT_VERTEX_LOCATION, baseUrl, DEFAULT_INSTRUCTION,
        Duration.ofMillis(DEFAULT_REQUEST_TIMEOUT_MS), DEFAULT_MAX_BATCH_SIZE,
        DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_TOKENS_PER_MINUTE,
        DEFAULT_RETRY_ATTEMPTS, Duration.ofMillis(DEFAULT_RETRY_INITIAL_BACKOFF_MS),
        Duration.ofMillis(DEFAULT_RETRY_MAX_BACKOFF_MS), Duration.ofMinutes(1));
  }

  public boolean vertexAi() {
    return vertexProject != null;
  }

  private static void requireNonBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", was " + value);
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be at least 1 ms, was " + value);
    }
  }
}
