package dev.sieve.embed.stage;

import java.time.Duration;
import java.util.Map;

/**
 * How the embed stage batches, overlaps and buffers work. The settings are defined, documented and
 * validated in {@code SieveConfig}; this record re-checks them so that code building a stage
 * directly (tests, benchmarks) cannot pass nonsense either.
 *
 * @param batchSize {@value #BATCH_SIZE}: most records in one provider call (also capped by the
 *     provider's own {@code maxBatchSize()})
 * @param linger {@value #BATCH_LINGER_MS}: longest a record waits for its batch to fill
 * @param maxInFlight {@value #MAX_IN_FLIGHT}: batches being embedded at once in this instance,
 *     over all its tasks (the size of the worker pool)
 * @param maxPending {@value #MAX_PENDING}: records a task holds before {@code process()} stops
 *     taking more (backpressure)
 * @param maxBlock {@value #MAX_BLOCK_MS}: longest one {@code process()} call waits for room
 * @param cacheEntries {@value #CACHE_ENTRIES}: vectors kept per task by content hash (0 = off)
 * @param inlineMaxBytes {@value #INLINE_MAX_BYTES}: larger input values are not copied into the
 *     pending store; a reference to the input record is stored instead
 * @param retryBackoff {@value #RETRY_BACKOFF_MS}: first wait after the provider was unavailable
 * @param retryBackoffMax {@value #RETRY_BACKOFF_MAX_MS}: longest wait between attempts
 */
public record EmbedStageSettings(
    int batchSize,
    Duration linger,
    int maxInFlight,
    int maxPending,
    Duration maxBlock,
    int cacheEntries,
    int inlineMaxBytes,
    Duration retryBackoff,
    Duration retryBackoffMax) {

  public static final String BATCH_SIZE = "sieve.embed.batch.size";
  public static final String BATCH_LINGER_MS = "sieve.embed.batch.linger.ms";
  public static final String MAX_IN_FLIGHT = "sieve.embed.max.in.flight";
  public static final String MAX_PENDING = "sieve.embed.max.pending";
  public static final String MAX_BLOCK_MS = "sieve.embed.max.block.ms";
  public static final String CACHE_ENTRIES = "sieve.embed.cache.entries";
  public static final String INLINE_MAX_BYTES = "sieve.embed.inline.max.bytes";
  public static final String RETRY_BACKOFF_MS = "sieve.embed.retry.backoff.ms";
  public static final String RETRY_BACKOFF_MAX_MS = "sieve.embed.retry.backoff.max.ms";

  public static final EmbedStageSettings DEFAULTS = new EmbedStageSettings(
      64, Duration.ofMillis(20), 16, 4_096, Duration.ofSeconds(2), 100_000, 64 * 1024,
      Duration.ofMillis(200), Duration.ofSeconds(10));

  /** @throws IllegalArgumentException naming the setting when a value is out of range */
  public EmbedStageSettings {
    atLeast(BATCH_SIZE, batchSize, 1);
    atLeast(BATCH_LINGER_MS, linger.toMillis(), 0);
    atLeast(MAX_IN_FLIGHT, maxInFlight, 1);
    atLeast(MAX_PENDING, maxPending, 1);
    atLeast(MAX_BLOCK_MS, maxBlock.toMillis(), 0);
    atLeast(CACHE_ENTRIES, cacheEntries, 0);
    atLeast(INLINE_MAX_BYTES, inlineMaxBytes, 0);
    atLeast(RETRY_BACKOFF_MS, retryBackoff.toMillis(), 1);
    atLeast(RETRY_BACKOFF_MAX_MS, retryBackoffMax.toMillis(), retryBackoff.toMillis());
  }

  /**
   * The settings from parsed configuration values ({@code SieveConfig.values()}: numbers); absent
   * ones take their default.
   */
  public static EmbedStageSettings from(Map<String, ?> values) {
    return new EmbedStageSettings(
        number(values, BATCH_SIZE, DEFAULTS.batchSize).intValue(),
        Duration.ofMillis(number(values, BATCH_LINGER_MS, DEFAULTS.linger.toMillis()).longValue()),
        number(values, MAX_IN_FLIGHT, DEFAULTS.maxInFlight).intValue(),
        number(values, MAX_PENDING, DEFAULTS.maxPending).intValue(),
        Duration.ofMillis(number(values, MAX_BLOCK_MS, DEFAULTS.maxBlock.toMillis()).longValue()),
        number(values, CACHE_ENTRIES, DEFAULTS.cacheEntries).intValue(),
        number(values, INLINE_MAX_BYTES, DEFAULTS.inlineMaxBytes).intValue(),
        Duration.ofMillis(number(values, RETRY_BACKOFF_MS, DEFAULTS.retryBackoff.toMillis()).longValue()),
        Duration.ofMillis(number(values, RETRY_BACKOFF_MAX_MS, DEFAULTS.retryBackoffMax.toMillis()).longValue()));
  }

  public EmbedStageSettings withBatchSize(int value) {
    return new EmbedStageSettings(value, linger, maxInFlight, maxPending, maxBlock, cacheEntries,
        inlineMaxBytes, retryBackoff, retryBackoffMax);
  }

  public EmbedStageSettings withLinger(Duration value) {
    return new EmbedStageSettings(batchSize, value, maxInFlight, maxPending, maxBlock, cacheEntries,
        inlineMaxBytes, retryBackoff, retryBackoffMax);
  }

  public EmbedStageSettings withMaxInFlight(int value) {
    return new EmbedStageSettings(batchSize, linger, value, maxPending, maxBlock, cacheEntries,
        inlineMaxBytes, retryBackoff, retryBackoffMax);
  }

  public EmbedStageSettings withMaxPending(int value, Duration block) {
    return new EmbedStageSettings(batchSize, linger, maxInFlight, value, block, cacheEntries,
        inlineMaxBytes, retryBackoff, retryBackoffMax);
  }

  public EmbedStageSettings withCacheEntries(int value) {
    return new EmbedStageSettings(batchSize, linger, maxInFlight, maxPending, maxBlock, value,
        inlineMaxBytes, retryBackoff, retryBackoffMax);
  }

  public EmbedStageSettings withInlineMaxBytes(int value) {
    return new EmbedStageSettings(batchSize, linger, maxInFlight, maxPending, maxBlock, cacheEntries,
        value, retryBackoff, retryBackoffMax);
  }

  public EmbedStageSettings withRetryBackoff(Duration first, Duration max) {
    return new EmbedStageSettings(batchSize, linger, maxInFlight, maxPending, maxBlock, cacheEntries,
        inlineMaxBytes, first, max);
  }

  private static Number number(Map<String, ?> values, String name, Number defaultValue) {
    Object value = values.get(name);
    return value == null ? defaultValue : (Number) value;
  }

  private static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
  }
}
