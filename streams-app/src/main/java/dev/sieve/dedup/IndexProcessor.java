package dev.sieve.dedup;

import dev.sieve.avro.DuplicateKind;
import dev.sieve.config.SieveConfig;
import dev.sieve.dedup.DedupCodec.FirstSeen;
import dev.sieve.dedup.DedupCodec.StoredCopy;
import dev.sieve.metrics.SieveMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers probe groups for the routes this task owns. On the exact route, the first event seen with a
 * content in a scope (within the horizon) is the original of every later one. On a cell or band
 * bucket, the {@link NearDupIndex} decides. A group's routes are handled one after the other in
 * their fixed order ({@link Probe#routes}) and answered once, with the best match over them
 * ({@link Answer#betterThan}). Both stores are changelogged: under exactly-once their updates
 * commit with the answers, so a crash and replay repeats the same decisions; a redelivered group
 * (at least once) repeats each route's, as a redelivered route did.
 */
final class IndexProcessor extends ContextualProcessor<String, ProbeGroup, String, Answer> {

  static final String EXACT_STORE = "dedup-exact";
  static final String CELL_STORE = "dedup-cells";
  private static final Logger log = LoggerFactory.getLogger(IndexProcessor.class);
  private static final long REBUILD_REPORT_NANOS = 10_000_000_000L;

  private final DedupSettings settings;
  private final SieveMetrics metrics;
  /** This task's share of the index gauges, given back when the task closes or migrates. */
  private long entries;
  private long bytes;
  private NearDupIndex index;
  private KeyValueStore<String, byte[]> exact;
  private KeyValueStore<String, byte[]> cells;

  IndexProcessor(DedupSettings settings, SieveMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Answer> context) {
    super.init(context);
    exact = context.getStateStore(EXACT_STORE);
    cells = context.getStateStore(CELL_STORE);
    index = new NearDupIndex(settings.thresholds(), settings.lexical(), settings.floodSimilarity(),
        settings.horizonMillis());
    rebuildIndex();
    context.schedule(purgeInterval(settings.horizon()), PunctuationType.STREAM_TIME, this::purge);
  }

  /** Purges a few dozen times per horizon, at least every second and at most every hour of stream time. */
  static Duration purgeInterval(Duration horizon) {
    Duration interval = horizon.dividedBy(48);
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      return Duration.ofSeconds(1);
    }
    return interval.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : interval;
  }

  @Override
  public void process(Record<String, ProbeGroup> record) {
    ProbeGroup group = record.value();
    Answer best = null;
    // The event as the cells store it (with its vector) and as band buckets do (without): one each
    // for all its routes here, so its quantised vector and bucket signature are computed once.
    IndexedItem cellItem = null;
    IndexedItem bandItem = null;
    for (int route : group.routes()) {
      Probe probe = group.probe(route);
      Answer answer;
      if (probe.exactRoute()) {
        answer = exactAnswer(group, probe, record.timestamp());
      } else if (probe.bandRoute()) {
        bandItem = bandItem == null ? probe.item(record.timestamp()) : bandItem;
        answer = cellAnswer(group, probe, bandItem);
      } else {
        cellItem = cellItem == null ? probe.item(record.timestamp()) : cellItem;
        answer = cellAnswer(group, probe, cellItem);
      }
      if (best == null || answer.betterThan(best)) {
        best = answer;
      }
    }
    context().forward(new Record<>(group.eventId(), best, record.timestamp()));
  }

  private Answer exactAnswer(ProbeGroup group, Probe probe, long timestamp) {
    String key = probe.scope() + '\0' + probe.contentHash();
    byte[] stored = exact.get(key);
    if (stored != null) {
      FirstSeen first = DedupCodec.firstSeen(stored);
      if (first.eventId().equals(probe.eventId())) {
        return Answer.none(group);
      }
      if (Math.abs(first.occurredAt() - probe.occurredAt()) <= settings.horizonMillis()) {
        return Answer.match(group, DuplicateKind.EXACT, first.eventId(), 1f, Float.NaN, first.occurredAt());
      }
    }
    exact.put(key, DedupCodec.firstSeen(new FirstSeen(probe.eventId(), probe.occurredAt(), timestamp)));
    return Answer.none(group);
  }

  private Answer cellAnswer(ProbeGroup group, Probe probe, IndexedItem item) {
    CellKey cell = probe.cellKey();
    NearDupIndex.CellProbe result = index.probeAndInsert(cell, item, probe.vector());
    if (result.stored()) {
      byte[] copy = DedupCodec.storedCopy(cell, item);
      cells.put(storeKey(cell, item.eventId()), copy);
      counted(1, copy.length);
    }
    NearDupIndex.Match match = result.match();
    return match == null
        ? Answer.none(group)
        : Answer.match(group, DuplicateKind.NEAR, match.eventId(), match.similarity(), match.jaccard(),
            match.occurredAt());
  }

  private void rebuildIndex() {
    // Runs on the stream thread before it polls again, so a large index must be rebuilt within
    // max.poll.interval.ms; progress is logged so that a rebuild nearing it shows.
    long start = System.nanoTime();
    long nextReport = start + REBUILD_REPORT_NANOS;
    long copies = 0;
    int dimensions = 0;
    NearDupIndex.Restoring restoring = index.restoring();
    try (KeyValueIterator<String, byte[]> all = cells.all()) {
      while (all.hasNext()) {
        byte[] stored = all.next().value;
        StoredCopy copy = DedupCodec.storedCopy(stored);
        counted(1, stored.length);
        restoring.add(copy.cell(), copy.item());
        if (copy.item().vector() != null) {
          dimensions = copy.item().vector().dimensions();
        }
        copies++;
        if (System.nanoTime() >= nextReport) {
          nextReport += REBUILD_REPORT_NANOS;
          log.info("Task {}: rebuilding the near-duplicate index, {} stored copies in {} s",
              context().taskId(), copies, (System.nanoTime() - start) / 1_000_000_000L);
        }
      }
    }
    if (copies > 0) {
      log.info("Task {}: rebuilt the near-duplicate index from {} stored copies in {} ms", context().taskId(),
          copies, (System.nanoTime() - start) / 1_000_000L);
      heapWarning(metrics.indexEntries(), dimensions, Runtime.getRuntime().maxMemory()).ifPresent(log::warn);
    }
  }

  /**
   * A warning when the cells of this instance likely take more than half of the maximum heap: the
   * index lives in memory, and running out of heap stops the instance. Per stored copy about
   * {@code 140 + dimensions} bytes (an int8 vector shared by an event's two copies, ids, sketch
   * and table entries: {@code sieve bench dedup} measures 1,047 B per event at 384 dimensions).
   */
  static Optional<String> heapWarning(long copies, int dimensions, long maxHeapBytes) {
    long estimate = copies * (140L + dimensions);
    if (dimensions <= 0 || estimate <= maxHeapBytes / 2) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT,
        "The near-duplicate index of this instance holds %,d stored copies, about %,d MB of heap of the %,d MB "
            + "maximum: give the JVM more heap (-Xmx; README, \"Heap\"), add instances, or shorten %s",
        copies, estimate >> 20, maxHeapBytes >> 20, SieveConfig.DEDUP_HORIZON_MS));
  }

  private void purge(long streamTime) {
    long cutoff = streamTime - settings.horizonMillis();
    for (NearDupIndex.Entry entry : index.purgeBefore(cutoff)) {
      byte[] stored = cells.delete(storeKey(entry.cell(), entry.eventId()));
      counted(-1, stored == null ? 0 : -stored.length);
    }
    try (KeyValueIterator<String, byte[]> all = exact.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> entry = all.next();
        if (DedupCodec.firstSeen(entry.value).timestamp() < cutoff) {
          exact.delete(entry.key);
        }
      }
    }
  }

  @Override
  public void close() {
    counted(-entries, -bytes);
  }

  private void counted(long entryChange, long byteChange) {
    entries += entryChange;
    bytes += byteChange;
    metrics.indexChanged(entryChange, byteChange);
  }

  private static String storeKey(CellKey cell, String eventId) {
    return cell.encoded() + '\0' + eventId;
  }
}
