package dev.sieve.embed.stage;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.deadletter.Rejection;
import dev.sieve.deadletter.Rejection.Stage;
import dev.sieve.embed.ContentHash;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EventEmbedder;
import dev.sieve.embed.LexicalSignature;
import dev.sieve.embed.stage.EmbedWorkers.BatchResult;
import dev.sieve.embed.stage.EmbedWorkers.ContentResult;
import dev.sieve.embed.stage.EmbedWorkers.Embedded;
import dev.sieve.embed.stage.EmbedWorkers.Item;
import dev.sieve.embed.stage.EmbedWorkers.Refused;
import dev.sieve.serde.RecordDecodingException;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.Outcome.Source;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embed stage of one task. Every accepted record is first written to the pending store, then
 * its content is looked up in the cache or batched for the workers; its result is forwarded, and
 * its pending entry deleted, on the stream thread: from {@code process()} or from a wall-clock
 * punctuator. Output and delete thus belong to the same transaction, and a commit only covers
 * input whose record is either answered or still in the pending store. {@code init()} (which Kafka
 * Streams calls after restoring the stores) submits whatever the store still holds again.
 *
 * <p>Results are released in the task's input order: a finished record waits for the records that
 * came before it. Batches still run concurrently; only their release is ordered, so what follows
 * (e.g. de-duplication, where the earlier event of a partition is the original) sees the input
 * order, and records of one event id stay in order.
 */
final class EmbedStageProcessor implements Processor<String, Outcome<MediaEvent>, String, Outcome<EmbeddedMedia>> {

  private static final Logger log = LoggerFactory.getLogger(EmbedStageProcessor.class);

  /** How often finished batches are collected and lingering batches sent when no input arrives. */
  static final Duration PUNCTUATE_INTERVAL = Duration.ofMillis(10);
  private static final long POLL_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** A record taken and not yet answered; {@code outcome} is set once its result is known. */
  private static final class Pending {
    final PendingRecord record;
    final byte[] originalValue;
    final MediaEvent event;
    String contentHash;
    Outcome<EmbeddedMedia> outcome;

    Pending(PendingRecord record, byte[] originalValue, MediaEvent event) {
      this.record = record;
      this.originalValue = originalValue;
      this.event = event;
    }
  }

  private final EmbedStage stage;
  private final int batchLimit;
  private final Map<Long, Pending> pending = new HashMap<>();
  /** Sequence numbers of the records taken and not yet released, in input order. */
  private final ArrayDeque<Long> inputOrder = new ArrayDeque<>();
  /** Contents on their way to the model, with the records waiting for each. */
  private final Map<String, List<Long>> awaitingContent = new HashMap<>();
  private ProcessorContext<String, Outcome<EmbeddedMedia>> context;
  private KeyValueStore<Long, PendingRecord> store;
  private ContentCache cache;
  private List<Item> openBatch = new ArrayList<>();
  private long openBatchSince;
  /** Batches of this task handed to the workers whose results have not been applied yet. */
  private int batchesOut;
  private long nextSequence;
  /** Keys with results found during init(), which must not forward; released at the first collect(). */
  private boolean releaseAfterInit;
  private boolean initializing;
  /** This run of the task, from init() to close(): its batches' results, and whether it is over. */
  private Generation generation;

  /**
   * Kafka Streams may close a task and initialise it again on the same processor (a corrupted
   * task is revived): each init() starts a generation, and a batch of an earlier one that comes
   * back late is dropped (its records are pending in the store and were submitted again).
   */
  private static final class Generation {
    final BlockingQueue<BatchResult> results = new LinkedBlockingQueue<>();
    volatile boolean closed;
  }

  EmbedStageProcessor(EmbedStage stage) {
    this.stage = stage;
    this.batchLimit = Math.min(stage.settings().batchSize(), stage.provider().maxBatchSize());
  }

  @Override
  public void init(ProcessorContext<String, Outcome<EmbeddedMedia>> context) {
    this.context = context;
    generation = new Generation();
    pending.clear();
    inputOrder.clear();
    awaitingContent.clear();
    openBatch = new ArrayList<>();
    batchesOut = 0;
    nextSequence = 0;
    releaseAfterInit = false;
    this.store = context.getStateStore(EmbedStage.PENDING_STORE);
    this.cache = new ContentCache(context.getStateStore(EmbedStage.CACHE_STORE),
        stage.settings().cacheEntries(), stage.space(), stage.cacheStatistics());
    initializing = true;
    resubmitRestored();
    initializing = false;
    context.schedule(PUNCTUATE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> {
      collect();
      closeBatchIfLingered();
    });
  }

  @Override
  public void process(Record<String, Outcome<MediaEvent>> record) {
    collect();
    if (record.value() instanceof Outcome.Rejected<MediaEvent> rejected) {
      context.forward(record.withValue(Outcome.rejected(
          rejected.rejection(), rejected.originalKey(), rejected.originalValue(), rejected.source())));
      return;
    }
    awaitRoom();
    accept(record, (Outcome.Accepted<MediaEvent>) record.value());
    closeBatchIfLingered();
  }

  @Override
  public void close() {
    generation.closed = true;
    if (!pending.isEmpty()) {
      log.info("Embed stage of task {} closing with {} records pending; they stay in the pending store",
          context.taskId(), pending.size());
    }
  }

  private void accept(Record<String, Outcome<MediaEvent>> record, Outcome.Accepted<MediaEvent> accepted) {
    Source source = context.recordMetadata()
        .map(m -> new Source(m.topic(), m.partition(), m.offset()))
        .orElseThrow(() -> new IllegalStateException("embed stage needs the input record's coordinates"));
    byte[] value = accepted.originalValue();
    // Large payloads are stored by reference and re-read after a restore (sieve.embed.inline.max.bytes).
    byte[] stored = value.length > stage.settings().inlineMaxBytes() ? null : value;
    PendingRecord entry = new PendingRecord(record.key(), accepted.originalKey(), stored, source,
        record.timestamp(), new RecordHeaders(record.headers().toArray()));
    long sequence = nextSequence++;
    store.put(sequence, entry);
    take(sequence, new Pending(entry, value, accepted.acceptedValue()));
  }

  private void resubmitRestored() {
    List<KeyValue<Long, PendingRecord>> restored = new ArrayList<>();
    try (var all = store.all()) {
      all.forEachRemaining(restored::add);
    }
    if (restored.isEmpty()) {
      return;
    }
    log.info("Embed stage of task {}: submitting {} pending records again after a restore",
        context.taskId(), restored.size());
    SourceReader reader = null;
    try {
      for (KeyValue<Long, PendingRecord> entry : restored) {
        PendingRecord record = entry.value;
        if (record.byReference() && reader == null) {
          reader = stage.sourceReaders().open();
        }
        Optional<byte[]> value = record.byReference()
            ? reader.value(record.source()) : Optional.of(record.originalValue());
        nextSequence = Math.max(nextSequence, entry.key + 1);
        take(entry.key, restoredPending(record, value));
      }
    } finally {
      if (reader != null) {
        reader.close();
      }
    }
  }

  /** Decodes a restored record again; if that cannot be done any more, it is dead-lettered. */
  private Pending restoredPending(PendingRecord record, Optional<byte[]> value) {
    if (value.isEmpty()) {
      Pending gone = new Pending(record, null, null);
      gone.outcome = rejection(gone, new Rejection(Stage.EMBED, "source-record-unavailable",
          "the input record at " + record.source() + " was pending when the task stopped and is no "
              + "longer in its topic (retention?)"));
      return gone;
    }
    try {
      MediaEvent event = stage.decoder().deserialize(record.source().topic(), record.headers(), value.get());
      return new Pending(record, value.get(), event);
    } catch (RecordDecodingException e) {
      Pending undecodable = new Pending(record, value.get(), null);
      undecodable.outcome = rejection(undecodable, new Rejection(Stage.DECODE, e.reason(), e.getMessage()));
      return undecodable;
    }
  }

  /** Registers a record in key order and finds its vector: cache, content on its way, or a batch. */
  private void take(long sequence, Pending record) {
    pending.put(sequence, record);
    inputOrder.add(sequence);
    if (record.outcome != null) {
      ready();
      return;
    }
    MediaEvent event = record.event;
    String hash = ContentHash.of(event.getParts(), event.getAttributes());
    record.contentHash = hash;
    List<Long> waiting = awaitingContent.get(hash);
    if (waiting != null) {
      stage.cacheStatistics().hit();
      waiting.add(sequence);
      return;
    }
    Optional<Embedding> cached = cache.lookup(hash);
    if (cached.isPresent()) {
      record.outcome = embedded(record, cached.get(),
          LexicalSignature.ofContent(event.getParts(), event.getAttributes()));
      ready();
      return;
    }
    awaitingContent.put(hash, new ArrayList<>(List.of(sequence)));
    if (openBatch.isEmpty()) {
      openBatchSince = context.currentSystemTimeMs();
    }
    openBatch.add(new Item(hash, event.getParts(), event.getAttributes()));
    if (openBatch.size() >= batchLimit) {
      closeBatch();
    }
  }

  /**
   * Backpressure: while the task holds {@code maxPending} records, wait for results (bounded). The
   * open batch is handed over only when no other batch of the task is out: otherwise the room that
   * results make goes on filling it, and a full task does not send a partial batch each time it
   * fills up (room comes in batches' worth, and so would the partial batches, for good).
   */
  private void awaitRoom() {
    int limit = stage.settings().maxPending();
    if (pending.size() < limit) {
      return;
    }
    closeBatchIfNothingElseIsOut();
    long deadline = System.nanoTime() + stage.settings().maxBlock().toNanos();
    while (pending.size() >= limit) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        // Taking the record (durably) lets the stream thread commit and keep its transaction and
        // poll deadlines; while the provider stays down this admits one record per max.block.ms.
        log.debug("Embed stage of task {} is full ({} pending); taking one more record", context.taskId(), pending.size());
        return;
      }
      try {
        BatchResult result = generation.results.poll(Math.min(left, POLL_STEP_NANOS), TimeUnit.NANOSECONDS);
        if (result != null) {
          apply(result);
          collect();
        }
        if (pending.size() >= limit) {
          closeBatchIfNothingElseIsOut(); // the oldest pending records may be in the open batch
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Applies every batch result that has arrived. */
  private void collect() {
    if (releaseAfterInit) {
      releaseAfterInit = false;
      release();
    }
    for (BatchResult result = generation.results.poll(); result != null; result = generation.results.poll()) {
      apply(result);
    }
  }

  private void apply(BatchResult result) {
    batchesOut--;
    if (result.failure() != null) {
      throw new StreamsException("embedding provider failed unexpectedly", result.failure());
    }
    List<Long> answered = new ArrayList<>();
    result.results().forEach((hash, contentResult) -> {
      if (contentResult instanceof Embedded embedded) {
        cache.put(hash, embedded.embedding());
      }
      for (long sequence : awaitingContent.remove(hash)) {
        Pending record = pending.get(sequence);
        record.outcome = outcome(record, contentResult);
        answered.add(sequence);
      }
    });
    if (!answered.isEmpty()) {
      release();
    }
  }

  private void ready() {
    if (initializing) {
      releaseAfterInit = true;
    } else {
      release();
    }
  }

  /** Forwards the finished records at the head of the input order and deletes their pending entries. */
  private void release() {
    while (!inputOrder.isEmpty() && pending.get(inputOrder.peek()).outcome != null) {
      long sequence = inputOrder.poll();
      Pending record = pending.remove(sequence);
      PendingRecord entry = record.record;
      context.forward(new Record<>(entry.key(), record.outcome, entry.timestamp(), entry.headers()));
      store.delete(sequence);
    }
  }

  /**
   * The linger bounds how long a record waits for a batch to fill while workers are free; while
   * batches already wait for a worker, a lingered batch would only wait behind them, so it keeps
   * filling instead (up to the batch size) and goes when the workers catch up, or as soon as the
   * task has no other batch out (so it never waits for other tasks' backlog to clear).
   */
  private void closeBatchIfLingered() {
    if (!openBatch.isEmpty()
        && context.currentSystemTimeMs() - openBatchSince >= stage.settings().linger().toMillis()
        && (stage.workers().waitingBatches() == 0 || batchesOut == 0)) {
      closeBatch();
    }
  }

  /** Hands the open batch to the workers, which take it as soon as one is free. */
  private void closeBatch() {
    if (!openBatch.isEmpty()) {
      Generation current = generation;
      stage.workers().submit(openBatch, current.results::add, () -> current.closed);
      batchesOut++;
      openBatch = new ArrayList<>();
    }
  }

  private void closeBatchIfNothingElseIsOut() {
    if (batchesOut == 0) {
      closeBatch();
    }
  }

  private Outcome<EmbeddedMedia> outcome(Pending record, ContentResult result) {
    if (result instanceof Embedded embedded) {
      return embedded(record, embedded.embedding(), embedded.lexicalSignature());
    }
    return rejection(record, ((Refused) result).rejection());
  }

  private Outcome<EmbeddedMedia> embedded(Pending record, Embedding embedding, List<Integer> lexicalSignature) {
    EmbeddedMedia media = EventEmbedder.embeddedMedia(record.event, stage.space(), embedding, record.contentHash,
        lexicalSignature);
    return Outcome.accepted(media, record.record.originalKey(), record.originalValue);
  }

  private static Outcome<EmbeddedMedia> rejection(Pending record, Rejection rejection) {
    return Outcome.rejected(rejection, record.record.originalKey(), record.originalValue, record.record.source());
  }
}
