package dev.sieve.embed.stage;

import dev.sieve.avro.MediaPart;
import dev.sieve.deadletter.Rejection;
import dev.sieve.deadletter.Rejection.Stage;
import dev.sieve.embed.BatchRejectedException;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.EventEmbedder.EmbedTotals;
import dev.sieve.embed.LexicalSignature;
import dev.sieve.embed.ProviderUnavailableException;
import dev.sieve.embed.UnembeddableContentException;
import dev.sieve.metrics.SieveMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker pool that embeds batches for every task of an instance, at most {@code maxInFlight}
 * at once. A batch is prepared and embedded on a worker; the stream thread only hands batches over
 * and collects their results. A provider that is unavailable is retried with exponential backoff
 * and jitter, never sooner than its Retry-After, until it answers or the batch's task goes away.
 */
final class EmbedWorkers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbedWorkers.class);

  /** One distinct content of a batch. */
  record Item(String contentHash, List<MediaPart> parts, Map<String, String> attributes) {}

  /** What became of one content: a vector or a rejection. */
  sealed interface ContentResult {}

  /**
   * A content's vector, and its {@link LexicalSignature} (null when it has none), computed here
   * rather than on the stream thread: the one thread of a task's records, which must keep up with
   * all the workers (the signature was 40 % of its time per event).
   */
  record Embedded(Embedding embedding, List<Integer> lexicalSignature) implements ContentResult {}

  record Refused(Rejection rejection) implements ContentResult {}

  /**
   * The results of one batch by content hash, or the unexpected failure (a provider bug) that
   * stopped it.
   */
  record BatchResult(Map<String, ContentResult> results, RuntimeException failure) {}

  private final EmbeddingProvider provider;
  private final ThreadPoolExecutor pool;
  private final long backoffMillis;
  private final long backoffMaxMillis;
  private final LongAdder embedded = new LongAdder();
  private final LongAdder calls = new LongAdder();
  private final LongAdder embedNanos = new LongAdder();
  private final SieveMetrics metrics;

  EmbedWorkers(EmbeddingProvider provider, EmbedStageSettings settings, SieveMetrics metrics) {
    this.provider = provider;
    this.metrics = metrics;
    AtomicInteger number = new AtomicInteger();
    this.pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(settings.maxInFlight(), task -> {
      Thread thread = new Thread(task, "sieve-embed-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.backoffMillis = settings.retryBackoff().toMillis();
    this.backoffMaxMillis = settings.retryBackoffMax().toMillis();
  }

  /**
   * Queues {@code batch} for the workers: the first of the {@code maxInFlight} workers that is free
   * takes it, without waiting for a stream thread to hand it over (a stream thread busy committing
   * would leave workers idle). Its result goes to {@code sink} from the worker thread. Once
   * {@code cancelled} is true the batch is abandoned without a result. The queue is bounded by the records the tasks hold ({@code sieve.embed.max.pending}).
   */
  void submit(List<Item> batch, Consumer<BatchResult> sink, BooleanSupplier cancelled) {
    pool.execute(() -> run(batch, cancelled).ifPresent(sink));
  }

  /** Batches submitted that no worker has taken yet (every worker is busy). */
  int waitingBatches() {
    return pool.getQueue().size();
  }

  /** Contents embedded so far and the time spent in the model for them. */
  EmbedTotals totals() {
    return new EmbedTotals(embedded.sum(), calls.sum(), embedNanos.sum());
  }

  private Optional<BatchResult> run(List<Item> batch, BooleanSupplier cancelled) {
    Map<String, ContentResult> results = new HashMap<>();
    List<Item> prepared = new ArrayList<>();
    List<EmbeddingInput> inputs = new ArrayList<>();
    try {
      for (Item item : batch) {
        try {
          inputs.add(provider.prepare(item.parts(), item.attributes()));
          prepared.add(item);
        } catch (UnembeddableContentException e) {
          results.put(item.contentHash(), refused(e.reason(), e.getMessage()));
        }
      }
      embed(prepared, inputs, results, cancelled);
      return Optional.of(new BatchResult(results, null));
    } catch (Cancelled e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(new BatchResult(Map.of(), e));
    } catch (Error e) {
      // Reported like a provider bug: a worker that died silently would leave its records pending.
      return Optional.of(new BatchResult(Map.of(), new IllegalStateException("embed worker failed: " + e, e)));
    }
  }

  /** Embeds the inputs; a refused batch of several is split into single inputs to find the culprit. */
  private void embed(List<Item> items, List<EmbeddingInput> inputs, Map<String, ContentResult> results,
      BooleanSupplier cancelled) {
    if (items.isEmpty()) {
      return;
    }
    try {
      List<Embedding> embeddings = embedRetrying(inputs, cancelled);
      if (embeddings.size() != items.size()) {
        throw new IllegalStateException("provider " + provider.space().getProvider() + " returned "
            + embeddings.size() + " embeddings for " + items.size() + " inputs");
      }
      for (int i = 0; i < items.size(); i++) {
        Item item = items.get(i);
        results.put(item.contentHash(),
            new Embedded(embeddings.get(i), LexicalSignature.ofContent(item.parts(), item.attributes())));
      }
    } catch (BatchRejectedException e) {
      if (items.size() == 1) {
        results.put(items.get(0).contentHash(), refused(e.reason(), e.getMessage()));
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        embed(List.of(items.get(i)), List.of(inputs.get(i)), results, cancelled);
      }
    }
  }

  private List<Embedding> embedRetrying(List<EmbeddingInput> inputs, BooleanSupplier cancelled) {
    for (int attempt = 0; ; attempt++) {
      if (cancelled.getAsBoolean()) {
        throw new Cancelled();
      }
      try {
        long start = System.nanoTime();
        metrics.embedStarted();
        List<Embedding> embeddings;
        try {
          embeddings = provider.embed(inputs);
        } finally {
          metrics.embedFinished();
        }
        long nanos = System.nanoTime() - start;
        embedNanos.add(nanos);
        embedded.add(inputs.size());
        calls.increment();
        metrics.embedCall(inputs.size(), nanos);
        return embeddings;
      } catch (ProviderUnavailableException e) {
        long wait = backoff(attempt, e.retryAfter().map(Duration::toMillis).orElse(0L));
        if (attempt == 0) {
          log.warn("Embedding provider unavailable, retrying a batch of {} in {} ms: {}",
              inputs.size(), wait, e.getMessage());
        } else {
          log.debug("Embedding provider still unavailable (attempt {}), next try in {} ms", attempt + 1, wait);
        }
        sleep(wait);
      }
    }
  }

  /** Exponential backoff with jitter in [half, full] of the step, never below Retry-After. */
  private long backoff(int attempt, long retryAfterMillis) {
    long step = Math.min(backoffMaxMillis, backoffMillis << Math.min(attempt, 30));
    long jittered = step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    return Math.max(jittered, retryAfterMillis);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled();
    }
  }

  private static Refused refused(String reason, String message) {
    return new Refused(new Rejection(Stage.EMBED, reason, message == null ? reason : message));
  }

  /** Stops the workers; batches in flight are abandoned (their records are still pending). */
  @Override
  public void close() {
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("Embed workers did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The batch's task went away (closed or migrated): nobody waits for its result. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super(null, null, false, false);
    }
  }
}
