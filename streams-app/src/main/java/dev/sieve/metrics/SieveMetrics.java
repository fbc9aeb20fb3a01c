package dev.sieve.metrics;

import dev.sieve.avro.DuplicateKind;
import dev.sieve.avro.ModerationResult;
import dev.sieve.embed.stage.CacheStatistics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sieve's own measurements, recorded by the stages that see them and published with Kafka
 * Streams' metrics on {@code /metrics}. One instance per service, passed to the stages that record
 * (no static registry), so two services in one JVM keep their figures apart.
 *
 * <p>Names as Prometheus shows them: {@code sieve_embed_latency_seconds} (histogram of one
 * provider call), {@code sieve_embed_batch_size} (contents per call), {@code sieve_embed_in_flight}
 * (calls running), {@code sieve_provider_errors_total{code}}, {@code sieve_embed_cache_hit_ratio}
 * and {@code sieve_embed_cache_lookups_total{result}}, {@code sieve_dlq_records_total{stage,reason}},
 * {@code sieve_label_compile_seconds{outcome}}, {@code sieve_index_entries} and {@code
 * sieve_index_bytes} (stored copies in this instance's near-duplicate cells and band buckets, the
 * entries its heap grows with, and the encoded size of the {@code dedup-cells} records that hold
 * them: one record per event and task, listing its copies there),
 * {@code sieve_duplicates_total{kind}}, {@code sieve_moderation_verdicts_total{verdict}} and {@code
 * sieve_moderation_label_hits_total{label,action}}.
 */
public final class SieveMetrics {

  private final MeterRegistry registry;
  private final Timer embedLatency;
  private final DistributionSummary batchSize;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong indexEntries = new AtomicLong();
  private final AtomicLong indexBytes = new AtomicLong();

  /**
   * @throws IllegalStateException if {@code registry} already has Sieve's metrics: Micrometer would
   *     keep the first set's gauges and silently ignore this one's
   */
  public SieveMetrics(MeterRegistry registry) {
    if (registry.find("sieve.embed.in.flight").gauge() != null) {
      throw new IllegalStateException("Sieve's metrics are already registered in this registry; share that SieveMetrics");
    }
    this.registry = registry;
    this.embedLatency = Timer.builder("sieve.embed.latency")
        .description("Time of one embedding provider call (a batch), retries of the stage excluded")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
    this.batchSize = DistributionSummary.builder("sieve.embed.batch.size")
        .description("Contents sent to the embedding provider in one call")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 250)
        .register(registry);
    Gauge.builder("sieve.embed.in.flight", inFlight, AtomicInteger::get)
        .description("Embedding provider calls running now").register(registry);
    Gauge.builder("sieve.index.entries", indexEntries, AtomicLong::get)
        .description("Stored copies of events in this instance's near-duplicate cells and band buckets")
        .register(registry);
    Gauge.builder("sieve.index.bytes", indexBytes, AtomicLong::get).baseUnit("bytes")
        .description("Encoded size of the store records holding this instance's near-duplicate copies (one per event "
            + "and task)").register(registry);
  }

  /** Metrics that record nothing, for tools and tests that publish none. */
  public static SieveMetrics disabled() {
    return new SieveMetrics(new CompositeMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One provider call of {@code contents} contents that took {@code nanos}. */
  public void embedCall(int contents, long nanos) {
    batchSize.record(contents);
    embedLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void embedStarted() {
    inFlight.incrementAndGet();
  }

  public void embedFinished() {
    inFlight.decrementAndGet();
  }

  /**
   * A failed provider call or attempt: {@code code} is the HTTP status where there was one, else
   * the failure's reason code ({@code unavailable}, {@code io}, {@code provider-rejected}...).
   */
  public void providerError(String provider, String code) {
    Counter.builder("sieve.provider.errors").description("Failed embedding provider calls and attempts")
        .tag("provider", provider).tag("code", code).register(registry).increment();
  }

  /** Publishes the embed stage's cache figures, read when scraped. */
  public void bindCache(CacheStatistics cache) {
    Gauge.builder("sieve.embed.cache.hit.ratio", cache, CacheStatistics::hitRate)
        .description("Contents found in the embed cache or in flight, over all lookups").register(registry);
    FunctionCounter.builder("sieve.embed.cache.lookups", cache, CacheStatistics::hits)
        .tag("result", "hit").register(registry);
    FunctionCounter.builder("sieve.embed.cache.lookups", cache, CacheStatistics::misses)
        .tag("result", "miss").register(registry);
  }

  /** A record sent to the dead-letter topic. */
  public void deadLetter(String stage, String reason) {
    Counter.builder("sieve.dlq.records").description("Records sent to the dead-letter topic")
        .tag("stage", stage).tag("reason", reason).register(registry).increment();
  }

  /** One label compile (embedding its examples), {@code compiled} or not. */
  public void labelCompiled(long nanos, boolean compiled) {
    Timer.builder("sieve.label.compile").description("Time to compile one label definition into centroids")
        .tag("outcome", compiled ? "compiled" : "rejected").register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Stored copies in the near-duplicate cells and band buckets of all this instance's tasks: an
   * event stored in its 2 cells and 16 band buckets counts 18, though its task's store holds it
   * in one record.
   */
  public long indexEntries() {
    return indexEntries.get();
  }

  /** Copies added (positive) or removed (negative), and the change in the encoded size of their records. */
  public void indexChanged(long entries, long bytes) {
    indexEntries.addAndGet(entries);
    indexBytes.addAndGet(bytes);
  }

  /** One duplicate flag written; {@code NONE} flags are not counted. */
  public void duplicateFlag(DuplicateKind kind) {
    if (kind != DuplicateKind.NONE) {
      Counter.builder("sieve.duplicates").description("Events flagged as duplicates of an earlier event")
          .tag("kind", kind.name()).register(registry).increment();
    }
  }

  /** One moderation verdict and the labels that fired for it. */
  public void verdict(ModerationResult result) {
    Counter.builder("sieve.moderation.verdicts").description("Moderation verdicts")
        .tag("verdict", result.getVerdict().name()).register(registry).increment();
    result.getHits().forEach(hit -> Counter.builder("sieve.moderation.label.hits")
        .description("Labels that fired in moderation verdicts")
        .tag("label", hit.getLabel()).tag("action", hit.getAction().name()).register(registry).increment());
  }
}
