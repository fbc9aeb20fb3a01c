package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.DuplicateKind;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.topology.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The index's cell store, at the level of one task: one record per event listing where the index
 * stored it; a restart rebuilds the same decisions from it; and copies of format 2 (one per cell
 * and band bucket) are rebuilt with the same decisions, converted, and purged. The index gauges
 * count the stored copies and the store's bytes exactly throughout.
 */
class CellStoreTest {

  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
  private static final DedupSettings SETTINGS = new DedupSettings(0.9, Duration.ofHours(1), 4, 0.98, 7L);

  private final Vectors vectors = new Vectors(31, DedupHarness.SPACE.getDimensions());
  private final Texts texts = new Texts(31);

  @Test
  void aTextStoredInSeveralCellsAndBandBucketsIsOneRecordListingWhereTheIndexStoredIt() {
    String original = texts.message(30);
    float[] v = vectors.random();
    List<Record<String, ProbeGroup>> events = List.of(
        text("original", v, original, T0),
        // opposite vector: no shared cell; matched in a band bucket and not stored where it is near the original
        text("copy", negated(v), Texts.edited(original), T0.plusSeconds(1)),
        text("same-topic", vectors.at(v, 0.97), texts.message(30), T0.plusSeconds(2)),
        // the same content again: represented everywhere, stored nowhere
        event("repost", null, v, "h-original", T0.plusSeconds(3), original));
    NearDupIndex oracle = new NearDupIndex(SETTINGS.thresholds(), SETTINGS.lexical(), SETTINGS.floodSimilarity(),
        SETTINGS.horizonMillis());
    Map<String, Set<Integer>> expected = new TreeMap<>();
    for (Record<String, ProbeGroup> event : events) {
      Set<Integer> stored = new HashSet<>();
      for (int route : event.value().routes()) {
        Probe probe = event.value().probe(route);
        if (!probe.exactRoute() && oracle.probeAndInsert(probe.cellKey(), probe.item(event.timestamp()),
            probe.vector()).stored()) {
          stored.add(route);
        }
      }
      if (!stored.isEmpty()) {
        expected.put(event.key(), stored);
      }
    }
    assertThat(expected.get("original")).hasSize(2 + LexicalBands.BANDS);
    assertThat(expected.get("copy")).hasSizeBetween(3, 2 + LexicalBands.BANDS - 1);
    assertThat(expected).doesNotContainKey("repost");

    Task task = new Task();
    List<Answer> answers = task.process(events);

    Map<String, Set<Integer>> recorded = new TreeMap<>();
    task.contents().forEach((key, value) -> {
      StoredEvent event = DedupCodec.storedEvent(decoded(value));
      assertThat(key).isEqualTo(event.key());
      assertThat(event.placements()).hasSize(1);
      recorded.put(event.eventId(), new HashSet<>(Arrays.stream(event.placements().get(0).routes()).boxed().toList()));
    });
    assertThat(recorded).isEqualTo(expected);
    StoredEvent copy = DedupCodec.storedEvent(task.cells.get(StoredEvent.key("", space(), "copy")));
    assertThat(copy.placements().get(0).item().vector()).as("stored in its cells, so with its vector").isNotNull();
    assertThat(answers).extracting(Answer::matchId).containsExactly(null, "original", null, "original");
    task.assertGaugesCountTheStore();

    // Redelivered, the groups change nothing in the store.
    Map<String, String> before = task.contents();
    task.process(events);
    assertThat(task.contents()).isEqualTo(before);
    task.assertGaugesCountTheStore();
  }

  @Test
  void aRestartRebuildsTheSameDecisionsFromTheStore() {
    List<Record<String, ProbeGroup>> events = scenario();
    int half = events.size() / 2;
    Task straight = new Task();
    List<Answer> expected = straight.process(events).subList(half, events.size());
    assertSecondHalfHasEveryKindOfDecision(expected);

    Task restarted = new Task();
    restarted.process(events.subList(0, half));
    restarted.restart();
    restarted.assertGaugesCountTheStore();
    List<Answer> answers = restarted.process(events.subList(half, events.size()));

    assertThat(answers).isEqualTo(expected);
    assertThat(restarted.contents()).isEqualTo(straight.contents());
    restarted.assertGaugesCountTheStore();
  }

  @Test
  void copiesOfFormatTwoAreRebuiltWithTheSameDecisionsThenConvertedToOneRecordPerEvent() {
    List<Record<String, ProbeGroup>> events = scenario();
    int half = events.size() / 2;
    Task straight = new Task();
    straight.process(events.subList(0, half));
    Map<String, String> records = straight.contents();
    Map<String, String> exactEntries = straight.exactContents();
    List<Answer> expected = straight.process(events.subList(half, events.size()));

    // The first half as an earlier version stored it: a copy per cell and band bucket.
    Task upgraded = new Task();
    Map<String, String> copies = new TreeMap<>();
    records.values().forEach(record -> FormatTwoCopies.of(DedupCodec.storedEvent(decoded(record)))
        .forEach((key, copy) -> copies.put(key, encoded(copy))));
    assertThat(copies.size()).isGreaterThan(3 * records.size());
    copies.forEach((key, copy) -> upgraded.cells.put(key, decoded(copy)));
    exactEntries.forEach((key, entry) -> upgraded.exact.put(key, decoded(entry)));

    upgraded.start();
    upgraded.assertGaugesCountTheStore();
    assertThat(upgraded.metrics.indexEntries()).isEqualTo(copies.size());
    List<Answer> answers = upgraded.process(events.subList(half, events.size()));
    assertThat(answers).isEqualTo(expected);
    assertThat(upgraded.contents()).containsAllEntriesOf(copies);

    MockProcessorContext.CapturedPunctuator conversion = upgraded.punctuator(PunctuationType.WALL_CLOCK_TIME);
    conversion.getPunctuator().punctuate(T0.toEpochMilli());

    assertThat(conversion.cancelled()).as("every copy converted in one batch").isTrue();
    assertThat(upgraded.contents()).isEqualTo(straight.contents());
    upgraded.assertGaugesCountTheStore();
    assertThat(upgraded.metrics.indexEntries()).isEqualTo(straight.metrics.indexEntries());
  }

  @Test
  void copiesOfFormatTwoArePurgedWithTheirEventBeforeOrAfterConversion() {
    Instant later = T0.plus(Duration.ofMinutes(50));
    List<Record<String, ProbeGroup>> old = List.of(vector("old-1", vectors.random(), T0),
        text("old-text", vectors.random(), texts.message(30), T0.plusSeconds(1)));
    List<Record<String, ProbeGroup>> recent = List.of(vector("recent-1", vectors.random(), later),
        text("recent-text", vectors.random(), texts.message(30), later));
    Task straight = new Task();
    straight.process(old);
    straight.process(recent);
    Task upgraded = new Task();
    straight.contents().values().forEach(record -> FormatTwoCopies.of(DedupCodec.storedEvent(decoded(record)))
        .forEach(upgraded.cells::put));
    upgraded.start();
    MockProcessorContext.CapturedPunctuator purge = upgraded.punctuator(PunctuationType.STREAM_TIME);

    // Stream time an hour past the old events: they leave, their copies with them, unconverted.
    purge.getPunctuator().punctuate(T0.plus(Duration.ofMinutes(61)).toEpochMilli());

    Set<String> left = new HashSet<>();
    upgraded.contents().forEach((key, value) -> {
      assertThat(DedupCodec.isCopy(decoded(value))).isTrue();
      left.add(DedupCodec.storedEvent(decoded(value)).eventId());
    });
    assertThat(left).containsExactlyInAnyOrder("recent-1", "recent-text");
    upgraded.assertGaugesCountTheStore();

    upgraded.punctuator(PunctuationType.WALL_CLOCK_TIME).getPunctuator().punctuate(0);
    assertThat(upgraded.contents().keySet()).containsExactlyInAnyOrder(
        StoredEvent.key("", space(), "recent-1"), StoredEvent.key("", space(), "recent-text"));
    upgraded.assertGaugesCountTheStore();

    // Converted, they leave the same way: one record each.
    purge.getPunctuator().punctuate(later.plus(Duration.ofMinutes(61)).toEpochMilli());
    assertThat(upgraded.contents()).isEmpty();
    assertThat(upgraded.metrics.indexEntries()).isZero();
    assertThat(upgraded.indexBytes()).isZero();
  }

  @Test
  void aRevivedTaskStartsOverFromItsStoreAndConvertsAsAFreshOne() {
    List<Record<String, ProbeGroup>> events = scenario();
    Task straight = new Task();
    straight.process(events);
    Task upgraded = new Task();
    Map<String, String> copies = new TreeMap<>();
    straight.contents().values().forEach(record -> FormatTwoCopies.of(DedupCodec.storedEvent(decoded(record)))
        .forEach((key, copy) -> copies.put(key, encoded(copy))));
    copies.forEach((key, copy) -> upgraded.cells.put(key, decoded(copy)));
    straight.exactContents().forEach((key, entry) -> upgraded.exact.put(key, decoded(entry)));

    upgraded.start();
    upgraded.revive(); // Kafka Streams closes a corrupted task and calls init() again on the same processor

    upgraded.assertGaugesCountTheStore();
    assertThat(upgraded.metrics.indexEntries()).isEqualTo(copies.size());
    upgraded.punctuator(PunctuationType.WALL_CLOCK_TIME).getPunctuator().punctuate(T0.toEpochMilli());
    assertThat(upgraded.contents()).isEqualTo(straight.contents());
    upgraded.assertGaugesCountTheStore();
  }

  @Test
  void copiesLeftOverFromAConversionCutShortAreDeletedAndNotCountedTwice() {
    Task straight = new Task();
    straight.process(List.of(text("t", vectors.random(), texts.message(30), T0)));
    Map<String, String> record = straight.contents();
    Task restarted = new Task();
    record.forEach((key, value) -> {
      restarted.cells.put(key, decoded(value));
      FormatTwoCopies.of(DedupCodec.storedEvent(decoded(value))).forEach(restarted.cells::put);
    });

    restarted.start();

    assertThat(restarted.metrics.indexEntries()).isEqualTo(2 + LexicalBands.BANDS);
    assertThat(restarted.indexBytes()).isEqualTo(decoded(record.values().iterator().next()).length);
    restarted.punctuator(PunctuationType.WALL_CLOCK_TIME).getPunctuator().punctuate(0);
    assertThat(restarted.contents()).isEqualTo(record);
    restarted.assertGaugesCountTheStore();
  }

  /**
   * Vectors, near copies, exact reposts, texts with edited copies whose vectors share no cell, and
   * a flood of near-identical events, in two scopes.
   */
  private List<Record<String, ProbeGroup>> scenario() {
    List<Record<String, ProbeGroup>> events = new ArrayList<>();
    List<float[]> bases = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Instant at = T0.plusSeconds(i);
      String scope = i % 3 == 0 ? "tenant" : null;
      float[] v = vectors.random();
      bases.add(v);
      String message = texts.message(30);
      messages.add(message);
      events.add(event("v" + i, scope, v, "hv" + i, at, null));
      events.add(event("t" + i, scope, vectors.random(), "ht" + i, at, message));
      // copies of earlier events, so that both halves hold originals and duplicates
      int j = i / 2;
      String earlierScope = j % 3 == 0 ? "tenant" : null;
      if (i % 2 == 0) {
        events.add(event("near" + i, earlierScope, vectors.at(bases.get(j), 0.95), "hn" + i, at, null));
        events.add(event("edit" + i, earlierScope, vectors.random(), "he" + i, at, Texts.edited(messages.get(j))));
      } else if (i % 5 == 0) {
        events.add(event("repost" + i, earlierScope, bases.get(j), "hv" + j, at, null));
      }
    }
    float[] center = vectors.random();
    for (int i = 0; i < 20; i++) {
      events.add(event("flood" + i, null, vectors.at(center, 0.995), "hf" + i, T0.plusSeconds(40 + i), null));
    }
    return events;
  }

  private static void assertSecondHalfHasEveryKindOfDecision(List<Answer> answers) {
    assertThat(answers).anySatisfy(a -> assertThat(a.kind()).isEqualTo(DuplicateKind.EXACT));
    assertThat(answers).anySatisfy(a -> {
      assertThat(a.kind()).isEqualTo(DuplicateKind.NEAR);
      assertThat(a.similarity()).as("decided in a band bucket").isNaN();
    });
    assertThat(answers).anySatisfy(a -> {
      assertThat(a.kind()).isEqualTo(DuplicateKind.NEAR);
      assertThat(a.similarity()).isGreaterThan(0.9f);
    });
    assertThat(answers).anySatisfy(a -> assertThat(a.kind()).isEqualTo(DuplicateKind.NONE));
  }

  private Record<String, ProbeGroup> vector(String id, float[] vector, Instant at) {
    return event(id, null, vector, "h-" + id, at, null);
  }

  private Record<String, ProbeGroup> text(String id, float[] vector, String text, Instant at) {
    return event(id, null, vector, "h-" + id, at, text);
  }

  /** The event's probe group, as the scatter sends it to an index of one partition. */
  private static Record<String, ProbeGroup> event(String id, String scope, float[] vector, String hash, Instant at,
      String text) {
    EmbeddedMedia media = DedupHarness.media(id, scope, vector, hash, at, text);
    Probe probe = ((Outcome.Pass<Probe>) new DedupInputCheck(SETTINGS).check(media, at.toEpochMilli())).value();
    return new Record<>(id, ProbeGroup.scatter(probe, 1).get(0), at.toEpochMilli());
  }

  private static String space() {
    return CellRouter.spaceKey(DedupHarness.SPACE);
  }

  private static float[] negated(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }

  private static String encoded(byte[] value) {
    return Base64.getEncoder().encodeToString(value);
  }

  private static byte[] decoded(String value) {
    return Base64.getDecoder().decode(value);
  }

  /** One task's index processor on stores that outlive it, as its state directory does. */
  private static final class Task {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final SieveMetrics metrics = new SieveMetrics(registry);
    final KeyValueStore<String, byte[]> cells = store(IndexProcessor.CELL_STORE);
    final KeyValueStore<String, byte[]> exact = store(IndexProcessor.EXACT_STORE);
    private MockProcessorContext<String, Answer> context;
    private IndexProcessor processor;

    Task() {
      MockProcessorContext<String, Answer> stores = new MockProcessorContext<>();
      cells.init(stores.getStateStoreContext(), cells);
      exact.init(stores.getStateStoreContext(), exact);
    }

    private static KeyValueStore<String, byte[]> store(String name) {
      return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
          .withLoggingDisabled().build();
    }

    void start() {
      context = new MockProcessorContext<>();
      context.addStateStore(cells);
      context.addStateStore(exact);
      processor = new IndexProcessor(SETTINGS, metrics);
      processor.init(context);
    }

    void restart() {
      processor.close();
      start();
    }

    /** Closes the processor and initialises the same one again, as Kafka Streams revives a task. */
    void revive() {
      processor.close();
      context = new MockProcessorContext<>();
      context.addStateStore(cells);
      context.addStateStore(exact);
      processor.init(context);
    }

    List<Answer> process(List<Record<String, ProbeGroup>> events) {
      if (processor == null) {
        start();
      }
      List<Answer> answers = new ArrayList<>();
      for (Record<String, ProbeGroup> event : events) {
        context.resetForwards();
        processor.process(event);
        assertThat(context.forwarded()).hasSize(1);
        answers.add(context.forwarded().get(0).record().value());
      }
      return answers;
    }

    MockProcessorContext.CapturedPunctuator punctuator(PunctuationType type) {
      return context.scheduledPunctuators().stream().filter(p -> p.getType() == type).findFirst().orElseThrow();
    }

    /** The cell store, values in Base64 so that maps of it compare by content. */
    Map<String, String> contents() {
      return contents(cells);
    }

    Map<String, String> exactContents() {
      return contents(exact);
    }

    private static Map<String, String> contents(KeyValueStore<String, byte[]> store) {
      Map<String, String> contents = new TreeMap<>();
      try (var all = store.all()) {
        all.forEachRemaining(kv -> contents.put(kv.key, encoded(kv.value)));
      }
      return contents;
    }

    long indexBytes() {
      return (long) registry.get("sieve.index.bytes").gauge().value();
    }

    /** The gauges hold the copies the store lists (in records, or as copies not yet converted) and its bytes. */
    void assertGaugesCountTheStore() {
      long copies = 0;
      long bytes = 0;
      try (var all = cells.all()) {
        while (all.hasNext()) {
          byte[] value = all.next().value;
          copies += DedupCodec.storedEvent(value).copies();
          bytes += value.length;
        }
      }
      assertThat(metrics.indexEntries()).isEqualTo(copies);
      assertThat(indexBytes()).isEqualTo(bytes);
    }
  }
}
