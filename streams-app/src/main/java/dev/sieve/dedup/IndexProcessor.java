package dev.sieve.dedup;

import dev.sieve.avro.DuplicateKind;
import dev.sieve.config.SieveConfig;
import dev.sieve.dedup.DedupCodec.FirstSeen;
import dev.sieve.metrics.SieveMetrics;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
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
 *
 * <p>The cell store keeps one record per event that a group stored anywhere ({@link StoredEvent}:
 * the event once, and its cells and band buckets here), from which the task rebuilds the index at
 * start. Copies of the earlier format (one record per cell and band bucket) found then are
 * restored as well, and converted in batches on wall-clock punctuation: each event's record is
 * written and its copies deleted.
 */
final class IndexProcessor extends ContextualProcessor<String, ProbeGroup, String, Answer> {

  static final String EXACT_STORE = "dedup-exact";
  static final String CELL_STORE = "dedup-cells";
  private static final Logger log = LoggerFactory.getLogger(IndexProcessor.class);
  private static final long REBUILD_REPORT_NANOS = 10_000_000_000L;
  private static final int CONVERSION_BATCH = 2_000;
  private static final Duration CONVERSION_INTERVAL = Duration.ofMillis(100);

  private final DedupSettings settings;
  private final SieveMetrics metrics;
  /** This task's share of the index gauges, given back when the task closes or migrates. */
  private long entries;
  private long bytes;
  private NearDupIndex index;
  private KeyValueStore<String, byte[]> exact;
  private KeyValueStore<String, byte[]> cells;
  /** Events this task found stored as copies of format 1 or 2, by their record's key, until converted. */
  private final Map<String, Copies> unconverted = new LinkedHashMap<>();
  private Cancellable conversion;
  private long convertedCopies;
  private long conversionStart;
  private long convertedEvents;

  IndexProcessor(DedupSettings settings, SieveMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Answer> context) {
    super.init(context);
    // init() again on the same processor when Kafka Streams revives a task: start from the stores
    unconverted.clear();
    conversion = null;
    convertedCopies = 0;
    convertedEvents = 0;
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
    int[] stored = new int[group.routes().length];
    int storedRoutes = 0;
    boolean storedInACell = false;
    for (int route : group.routes()) {
      Probe probe = group.probe(route);
      Answer answer;
      if (probe.exactRoute()) {
        answer = exactAnswer(group, probe, record.timestamp());
      } else {
        IndexedItem item;
        if (probe.bandRoute()) {
          item = bandItem = bandItem == null ? probe.item(record.timestamp()) : bandItem;
        } else {
          item = cellItem = cellItem == null ? probe.item(record.timestamp()) : cellItem;
        }
        NearDupIndex.CellProbe result = index.probeAndInsert(probe.cellKey(), item, probe.vector());
        if (result.stored()) {
          stored[storedRoutes++] = route;
          storedInACell |= !probe.bandRoute();
        }
        answer = nearAnswer(group, result.match());
      }
      if (best == null || answer.betterThan(best)) {
        best = answer;
      }
    }
    if (storedRoutes > 0) {
      store(group, storedInACell ? cellItem : bandItem, Arrays.copyOf(stored, storedRoutes));
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

  private static Answer nearAnswer(ProbeGroup group, NearDupIndex.Match match) {
    return match == null
        ? Answer.none(group)
        : Answer.match(group, DuplicateKind.NEAR, match.eventId(), match.similarity(), match.jaccard(),
            match.occurredAt());
  }

  /**
   * Records where the group stored the event: one record per event in this task. A record already
   * there (the same event id stored again, as a redelivery may) is extended, not replaced, so the
   * store keeps every copy the index holds.
   */
  private void store(ProbeGroup group, IndexedItem item, int[] routes) {
    String key = StoredEvent.key(group.scope(), group.space(), group.eventId());
    convertIfWaiting(key);
    byte[] before = cells.get(key);
    StoredEvent earlier = before == null ? null : DedupCodec.storedEvent(before);
    StoredEvent event = earlier == null
        ? StoredEvent.of(group.scope(), group.space(), item, routes)
        : earlier.with(item, routes);
    byte[] after = DedupCodec.storedEvent(event);
    cells.put(key, after);
    counted(event.copies() - (earlier == null ? 0 : earlier.copies()),
        after.length - (before == null ? 0 : before.length));
  }

  private void rebuildIndex() {
    // Runs on the stream thread before it polls again, so a large index must be rebuilt within
    // max.poll.interval.ms; progress is logged so that a rebuild nearing it shows.
    long start = System.nanoTime();
    long nextReport = start + REBUILD_REPORT_NANOS;
    long records = 0;
    long events = 0;
    long copies = 0;
    int dimensions = 0;
    try (KeyValueIterator<String, byte[]> all = cells.all()) {
      while (all.hasNext()) {
        byte[] stored = all.next().value;
        StoredEvent event = DedupCodec.storedEvent(stored);
        records++;
        if (DedupCodec.isCopy(stored)) {
          unconverted.merge(event.key(), new Copies(event, stored.length, false), Copies::plus);
        } else {
          restore(event);
          counted(event.copies(), stored.length);
          events++;
          copies += event.copies();
        }
        if (dimensions == 0) {
          dimensions = dimensions(event);
        }
        if (System.nanoTime() >= nextReport) {
          nextReport += REBUILD_REPORT_NANOS;
          log.info("Task {}: rebuilding the near-duplicate index, {} stored records in {} s",
              context().taskId(), records, (System.nanoTime() - start) / 1_000_000_000L);
        }
      }
    }
    boolean anyEvents = events > 0;
    for (var waiting : unconverted.entrySet()) {
      // Copies whose event already has a record are left over from a conversion cut short, which
      // writes the record (of all the copies) before it deletes them: only their deletion is due.
      if (anyEvents && cells.get(waiting.getKey()) != null) {
        waiting.setValue(waiting.getValue().asLeftOver());
      } else {
        restore(waiting.getValue().event());
        counted(waiting.getValue().event().copies(), waiting.getValue().bytes());
        events++;
        copies += waiting.getValue().event().copies();
      }
    }
    if (records > 0) {
      log.info("Task {}: rebuilt the near-duplicate index from {} stored events ({} copies in cells and band buckets) "
          + "in {} ms", context().taskId(), events, copies, (System.nanoTime() - start) / 1_000_000L);
      heapWarning(metrics.indexEntries(), dimensions, Runtime.getRuntime().maxMemory()).ifPresent(log::warn);
    }
    if (!unconverted.isEmpty()) {
      log.info("Task {}: {} stored records are copies of store format 2 (one per cell and band bucket) of {} events; "
          + "converting them to one record per event in batches of {} events", context().taskId(),
          unconverted.values().stream().mapToLong(c -> c.event().copies()).sum(), unconverted.size(),
          CONVERSION_BATCH);
      conversionStart = System.nanoTime();
      conversion = context().schedule(CONVERSION_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> convertSome());
    }
  }

  private void restore(StoredEvent event) {
    for (StoredEvent.Placement placement : event.placements()) {
      IndexedItem item = placement.item();
      index.restore(item, Arrays.stream(placement.routes()).mapToObj(route -> event.cell(item, route)).toList());
    }
  }

  private static int dimensions(StoredEvent event) {
    return event.placements().stream().filter(p -> p.item().vector() != null)
        .mapToInt(p -> p.item().vector().dimensions()).findFirst().orElse(0);
  }

  /**
   * Converts up to {@value #CONVERSION_BATCH} events stored as copies of format 1 or 2, so that a
   * large store converts over many commits rather than in one transaction that could outlast
   * {@code transaction.timeout.ms} under exactly-once.
   */
  private void convertSome() {
    List<String> batch = unconverted.keySet().stream().limit(CONVERSION_BATCH).toList();
    batch.forEach(this::convertIfWaiting);
    if (unconverted.isEmpty()) {
      conversion.cancel();
      log.info("Task {}: converted {} stored copies of store format 2 into {} records of one per event in {} ms",
          context().taskId(), convertedCopies, convertedEvents, (System.nanoTime() - conversionStart) / 1_000_000L);
    }
  }

  /**
   * Writes the record of an event still stored as copies of format 1 or 2, then deletes the copies
   * (in that order, so that a conversion cut short leaves the record and copies it holds).
   */
  private void convertIfWaiting(String key) {
    Copies waiting = unconverted.isEmpty() ? null : unconverted.remove(key);
    if (waiting == null) {
      return;
    }
    StoredEvent event = waiting.event();
    if (!waiting.leftOver()) {
      byte[] record = DedupCodec.storedEvent(event);
      cells.put(key, record);
      counted(0, record.length - waiting.bytes());
      convertedEvents++;
    }
    for (StoredEvent.Placement placement : event.placements()) {
      for (int route : placement.routes()) {
        cells.delete(event.cell(placement.item(), route).encoded() + '\0' + event.eventId());
        convertedCopies++;
      }
    }
  }

  /**
   * An event read as copies of format 1 or 2, merged, waiting for conversion.
   *
   * @param bytes the copies' encoded size, as counted in the index gauges until converted
   * @param leftOver whether a record of the event exists already and holds them
   */
  private record Copies(StoredEvent event, long bytes, boolean leftOver) {

    Copies plus(Copies other) {
      return new Copies(event.with(other.event()), bytes + other.bytes(), leftOver);
    }

    Copies asLeftOver() {
      return new Copies(event, bytes, true);
    }
  }

  /**
   * A warning when the cells of this instance likely take more than half of the maximum heap: the
   * index lives in memory, and running out of heap stops the instance. Per stored copy (an entry
   * of a cell or band bucket, as {@code sieve_index_entries} counts them) about {@code 180 +
   * dimensions} bytes: an event in two cells shares one int8 vector, and has ids, sketch and table
   * entries with their digests ({@code sieve bench dedup} measures 1,106 B per event at 384
   * dimensions); a text's band copy holds no vector but a bucket of its own (about 6.7 KB measured
   * for a text in 2 cells and 16 band buckets at 384 dimensions, 7.1 KB at 768), so the estimate
   * errs high for texts.
   */
  static Optional<String> heapWarning(long copies, int dimensions, long maxHeapBytes) {
    long estimate = copies * (180L + dimensions);
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
    // An event's copies share its timestamp, so they leave together: its record goes once.
    Set<String> purged = new LinkedHashSet<>();
    for (NearDupIndex.Entry entry : index.purgeBefore(cutoff)) {
      purged.add(StoredEvent.key(entry.cell().scope(), entry.cell().space(), entry.eventId()));
    }
    for (String key : purged) {
      convertIfWaiting(key);
      byte[] before = cells.delete(key);
      if (before == null) {
        continue;
      }
      StoredEvent event = DedupCodec.storedEvent(before);
      StoredEvent kept = event.keptFrom(cutoff);
      if (kept == null) {
        counted(-event.copies(), -before.length);
      } else {
        // another placement of the event id, stored later, stays
        byte[] after = DedupCodec.storedEvent(kept);
        cells.put(key, after);
        counted(kept.copies() - event.copies(), after.length - before.length);
      }
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
}
