package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.DuplicateKind;
import dev.sieve.avro.EmbeddedMedia;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The de-duplication sub-topology's flags, fed with constructed vectors. */
class DuplicateDetectionTest {

  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
  private static final DedupSettings SETTINGS = new DedupSettings(0.9, Duration.ofHours(1), 4, 0.98, 7L);

  private final Vectors vectors = new Vectors(42, DedupHarness.SPACE.getDimensions());
  private TopologyTestDriver driver;
  private TestInputTopic<String, EmbeddedMedia> embedded;
  private TestOutputTopic<String, DuplicateFlag> duplicates;
  private TestOutputTopic<String, String> rejections;

  @BeforeEach
  void start() {
    start(SETTINGS);
  }

  private void start(DedupSettings settings) {
    DedupHarness harness = new DedupHarness("mem://dedup-test-" + UUID.randomUUID(), "");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedup-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(harness.topology(settings), props);
    embedded = driver.createInputTopic(harness.embedded.name(), harness.embedded.keySerde().serializer(),
        harness.embedded.valueSerde().serializer());
    duplicates = driver.createOutputTopic(harness.duplicates.name(), harness.duplicates.keySerde().deserializer(),
        harness.duplicates.valueSerde().deserializer());
    rejections = driver.createOutputTopic(harness.rejections.name(), harness.rejections.keySerde().deserializer(),
        harness.rejections.valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void theFirstEventWithAContentIsTheOriginalOfIdenticalLaterOnes() {
    float[] v = vectors.random();
    send("a", null, v, "hash-1", T0);
    send("b", null, v, "hash-1", T0.plusSeconds(5));

    assertThat(flag("a").getIsDuplicate()).isFalse();
    DuplicateFlag b = flag("b");
    assertThat(b.getIsDuplicate()).isTrue();
    assertThat(b.getKind()).isEqualTo(DuplicateKind.EXACT);
    assertThat(b.getDuplicateOf()).isEqualTo("a");
    assertThat(b.getSimilarity()).isEqualTo(1.0f);
    assertThat(b.getOriginalOccurredAt()).isEqualTo(T0);
    assertThat(b.getScope()).isNull();
  }

  @Test
  void aNearDuplicateNamesItsOriginalAndTheSimilarity() {
    float[] v = vectors.random();
    send("a", "tenant", v, "hash-a", T0);
    send("b", "tenant", vectors.at(v, 0.95), "hash-b", T0.plusSeconds(1));

    assertThat(flag("a").getIsDuplicate()).isFalse();
    DuplicateFlag b = flag("b");
    assertThat(b.getKind()).isEqualTo(DuplicateKind.NEAR);
    assertThat(b.getDuplicateOf()).isEqualTo("a");
    assertThat((double) b.getSimilarity()).isCloseTo(0.95, org.assertj.core.data.Offset.offset(0.01));
    assertThat(b.getScope()).isEqualTo("tenant");
  }

  @Test
  void theMostSimilarOriginalIsNamed() {
    float[] v = vectors.random();
    // Two originals near v but not near each other (cosine about 0.92 * 0.96 < 0.9).
    send("far", null, vectors.at(v, 0.92), "h1", T0);
    send("close", null, vectors.at(v, 0.96), "h2", T0);
    assertThat(flags().get("close").getIsDuplicate()).isFalse();
    flagsRead = null;
    send("q", null, v, "h3", T0);
    DuplicateFlag q = flags().get("q");
    assertThat(q.getDuplicateOf()).isEqualTo("close");
  }

  @Test
  void anEventBelowTheThresholdIsNotADuplicate() {
    float[] v = vectors.random();
    send("a", null, v, "h1", T0);
    send("b", null, vectors.at(v, 0.85), "h2", T0);
    send("c", null, vectors.random(), "h3", T0);

    Map<String, DuplicateFlag> flags = flags();
    assertThat(flags).hasSize(3);
    assertThat(flags.values()).allSatisfy(f -> {
      assertThat(f.getIsDuplicate()).isFalse();
      assertThat(f.getKind()).isEqualTo(DuplicateKind.NONE);
      assertThat(f.getDuplicateOf()).isNull();
    });
  }

  @Test
  void eventsOfDifferentScopesAreNeverDuplicates() {
    float[] v = vectors.random();
    send("a", "one", v, "same", T0);
    send("b", "two", v, "same", T0);
    send("c", null, v, "same", T0);
    assertThat(flags().values()).extracting(DuplicateFlag::getIsDuplicate).containsOnly(false);
  }

  @Test
  void eventsFurtherApartThanTheHorizonAreNotDuplicates() {
    float[] v = vectors.random();
    // Record timestamps stay at T0, so nothing is purged: only occurredAt sets them apart.
    send("a", null, v, "h", T0);
    send("b", null, vectors.at(v, 0.97), "h2", T0.plus(Duration.ofHours(2)), T0);
    send("c", null, v, "h", T0.plus(Duration.ofHours(4)), T0);
    assertThat(flags().values()).extracting(DuplicateFlag::getIsDuplicate).containsOnly(false);
  }

  @Test
  void badVectorsAndLateEventsAreRejectedWithAReason() {
    float[] nan = vectors.random();
    nan[3] = Float.NaN;
    send("nan", null, nan, "h1", T0);
    send("zero", null, new float[DedupHarness.SPACE.getDimensions()], "h2", T0);
    send("short", null, new float[] {1f, 0f}, "h3", T0);
    send("late", null, vectors.random(), "h4", T0.minus(Duration.ofHours(2)), T0);

    assertThat(rejections.readKeyValuesToMap()).isEqualTo(Map.of(
        "nan", "dedup/vector-not-finite",
        "zero", "dedup/vector-zero-norm",
        "short", "dedup/vector-dimension-mismatch",
        "late", "dedup/older-than-horizon"));
    assertThat(duplicates.isEmpty()).isTrue();
  }

  @Test
  void anUnnormalisedVectorIsComparedByDirection() {
    float[] v = vectors.random();
    float[] scaled = v.clone();
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] *= 40;
    }
    send("a", null, v, "h1", T0);
    send("b", null, scaled, "h2", T0);
    assertThat(flags().get("b").getKind()).isEqualTo(DuplicateKind.NEAR);
  }

  @Test
  void aFloodOfNearIdenticalEventsDoesNotGrowTheIndex() {
    float[] center = vectors.random();
    int flood = 500;
    for (int i = 0; i < flood; i++) {
      send("spam-" + i, null, vectors.at(center, 0.995), "spam-hash-" + i, T0.plusMillis(i));
    }
    Map<String, DuplicateFlag> flags = flags();
    assertThat(flags).hasSize(flood);
    long flagged = flags.values().stream().filter(DuplicateFlag::getIsDuplicate).count();
    // At most the first event per distinct cell pair stays unflagged; the wave is flagged.
    assertThat(flagged).isGreaterThanOrEqualTo(flood - 4);
    // Each event was stored in at most a handful of cells: the wave did not grow them.
    List<StoredEvent> stored = storedEvents();
    assertThat(stored.stream().mapToInt(StoredEvent::copies).sum()).isLessThanOrEqualTo(8);
    assertThat(stored).extracting(StoredEvent::eventId).doesNotHaveDuplicates();
  }

  @Test
  void anEditedCopyOfATextIsANearDuplicateAlthoughItsVectorIsFarFromTheOriginal() {
    Texts texts = new Texts(1);
    String original = texts.message(30);
    String copy = Texts.edited(original);
    float[] v = vectors.random();
    // Opposite vectors share no cell: only a band bucket can bring the two together.
    sendText("a", v, "h1", original);
    sendText("b", negated(v), "h2", copy);

    assertThat(flag("a").getIsDuplicate()).isFalse();
    DuplicateFlag b = flag("b");
    assertThat(b.getKind()).isEqualTo(DuplicateKind.NEAR);
    assertThat(b.getDuplicateOf()).isEqualTo("a");
    assertThat(b.getSimilarity()).as("decided on text alone: no cosine").isNull();
    assertThat(b.getJaccard()).isEqualTo(jaccard(original, copy)).isGreaterThanOrEqualTo(0.6f);
  }

  @Test
  void anEditedCopySharingACellCarriesBothCosineAndJaccard() {
    Texts texts = new Texts(2);
    String original = texts.message(30);
    float[] v = vectors.random();
    sendText("a", v, "h1", original);
    sendText("b", vectors.at(v, 0.5), "h2", Texts.edited(original));
    sendText("c", v, "h3", Texts.edited(original) + " again");

    DuplicateFlag c = flag("c");
    assertThat(c.getKind()).isEqualTo(DuplicateKind.NEAR);
    assertThat(c.getDuplicateOf()).isEqualTo("a");
    assertThat((double) c.getSimilarity()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(c.getJaccard()).isEqualTo(jaccard(original, Texts.edited(original) + " again"));
    assertThat(flag("b").getDuplicateOf()).isEqualTo("a");
  }

  @Test
  void differentTextsOnOneTopicAreNotDuplicatesEvenAtAHighCosine() {
    Texts texts = new Texts(3);
    float[] v = vectors.random();
    sendText("a", v, "h1", texts.message(30));
    sendText("b", vectors.at(v, 0.97), "h2", texts.message(30));

    assertThat(flags().values()).extracting(DuplicateFlag::getIsDuplicate).containsOnly(false);
  }

  @Test
  void aTextAndANonTextAreComparedByCosineOnly() {
    Texts texts = new Texts(4);
    float[] v = vectors.random();
    sendText("text", v, "h1", texts.message(30));
    send("image", null, vectors.at(v, 0.95), "h2", T0);
    send("far-image", null, vectors.at(v, 0.5), "h3", T0);

    assertThat(flag("image").getDuplicateOf()).isEqualTo("text");
    assertThat(flag("image").getJaccard()).isNull();
    assertThat(flag("far-image").getIsDuplicate()).isFalse();
  }

  @Test
  void withTheLexicalSignalOffTextsAreComparedByCosineOnly() {
    driver.close();
    start(SETTINGS.withLexical(new LexicalRule(false, 0.6, 0.2)));
    Texts texts = new Texts(5);
    String original = texts.message(30);
    float[] v = vectors.random();
    sendText("a", v, "h1", original);
    sendText("copy", negated(v), "h2", Texts.edited(original));
    sendText("same-topic", vectors.at(v, 0.97), "h3", texts.message(30));

    assertThat(flag("copy").getIsDuplicate()).isFalse();
    assertThat(flag("same-topic").getDuplicateOf()).isEqualTo("a");
    assertThat(flag("same-topic").getJaccard()).isNull();
    assertThat(storedEvents()).isNotEmpty().allSatisfy(event -> assertThat(event.placements().get(0).routes())
        .as("no band buckets").isNotEmpty().doesNotContain(java.util.stream.IntStream.range(0, LexicalBands.BANDS)
            .map(Probe::bandRoute).toArray()));
  }

  @Test
  void aTextStoredInItsCellsAndBandBucketsIsOneRecordOfTheCellStore() {
    Texts texts = new Texts(7);
    for (int i = 0; i < 5; i++) {
      sendText("text-" + i, vectors.random(), "h" + i, texts.message(30));
    }

    assertThat(flags().values()).extracting(DuplicateFlag::getIsDuplicate).containsOnly(false);
    List<StoredEvent> stored = storedEvents();
    // Unrelated texts are stored in all their routes: 2 cells and 16 band buckets, one record each.
    assertThat(stored).extracting(StoredEvent::eventId)
        .containsExactlyInAnyOrder("text-0", "text-1", "text-2", "text-3", "text-4");
    assertThat(stored).allSatisfy(event -> {
      assertThat(event.placements()).hasSize(1);
      assertThat(event.copies()).isEqualTo(2 + LexicalBands.BANDS);
    });
  }

  @Test
  void aSignatureOfTheWrongLengthIsRejected() {
    EmbeddedMedia media = DedupHarness.media("bad", null, vectors.random(), "h1", T0, "some text");
    media.setLexicalSignature(media.getLexicalSignature().subList(0, 10));
    embedded.pipeInput("bad", media, T0);
    assertThat(rejections.readKeyValuesToMap()).isEqualTo(Map.of("bad", "dedup/lexical-signature-length"));
  }

  @Test
  void entriesOlderThanTheHorizonArePurgedAsStreamTimeAdvances() {
    float[] v = vectors.random();
    send("old", null, v, "h-old", T0);
    // one record, listing both cells
    assertThat(storedEvents()).singleElement().satisfies(event -> {
      assertThat(event.eventId()).isEqualTo("old");
      assertThat(event.copies()).isEqualTo(2);
    });
    assertThat(count(driver.getKeyValueStore(IndexProcessor.EXACT_STORE))).isEqualTo(1);

    Instant later = T0.plus(Duration.ofHours(1)).plusSeconds(120);
    send("new", null, vectors.random(), "h-new", later, later);

    assertThat(storedEvents()).extracting(StoredEvent::eventId).containsExactly("new");
    assertThat(count(driver.getKeyValueStore(IndexProcessor.EXACT_STORE))).isEqualTo(1);
  }

  @Test
  void onOneIndexPartitionAnEventIsOneProbeRecordWithAllItsRoutesAndOneAnswer() {
    Texts texts = new Texts(6);
    String original = texts.message(30);
    float[] v = vectors.random();
    sendText("a", v, "h1", original);
    sendText("b", negated(v), "h2", Texts.edited(original));
    send("image", null, vectors.at(v, 0.95), "h3", T0);

    var probes = driver.createOutputTopic("dedup-test-dedup-index-repartition",
        new org.apache.kafka.common.serialization.StringDeserializer(), DedupCodec.PROBE_GROUP.deserializer())
        .readValuesToList();
    assertThat(probes).extracting(ProbeGroup::eventId).containsExactly("a", "b", "image");
    assertThat(probes).extracting(g -> g.routes().length).containsExactly(19, 19, 3);
    assertThat(probes).allSatisfy(g -> {
      assertThat(g.partition()).isZero();
      assertThat(g.groups()).isEqualTo(1);
      assertThat(g.routes()[0]).isEqualTo(Probe.EXACT_ROUTE);
    });
    var answers = driver.createOutputTopic("dedup-test-dedup-gather-repartition",
        new org.apache.kafka.common.serialization.StringDeserializer(), DedupCodec.ANSWER.deserializer())
        .readValuesToList();
    assertThat(answers).extracting(Answer::eventId).containsExactly("a", "b", "image");
    // One answer, the best over the group's routes: b's band bucket, image's cell.
    assertThat(answers).extracting(Answer::matchId).containsExactly(null, "a", "a");
    assertThat(flag("b").getKind()).isEqualTo(DuplicateKind.NEAR);
    assertThat(flag("b").getSimilarity()).isNull();
    assertThat(flag("image").getDuplicateOf()).isEqualTo("a");
    assertThat(flag("image").getSimilarity()).isNotNull();
    assertThat(count(driver.getKeyValueStore(GatherProcessor.GATHER_STORE))).as("nothing waits").isZero();
  }

  @Test
  void anIndexTopicWhosePartitionsAreNotTheSettingFailsNamingIt() {
    driver.close();
    start(SETTINGS.withPartitions(4));
    assertThatThrownBy(() -> send("a", null, vectors.random(), "h1", T0))
        .rootCause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Topic dedup-test-dedup-index-repartition has 1 partitions, but sieve.topics.partitions is 4: "
            + "the near-duplicate index routes by that setting, so the two must agree");
    assertThat(duplicates.isEmpty()).isTrue();
  }

  private void sendText(String id, float[] vector, String hash, String text) {
    embedded.pipeInput(id, DedupHarness.media(id, null, vector, hash, T0, text), T0);
  }

  private static float jaccard(String a, String b) {
    // as the index compares them: 16 bits per value
    return dev.sieve.embed.LexicalSignature.jaccard(LexicalBands.stored(dev.sieve.embed.LexicalSignature.of(a)),
        LexicalBands.stored(dev.sieve.embed.LexicalSignature.of(b)));
  }

  private static float[] negated(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }

  private void send(String id, String scope, float[] vector, String hash, Instant occurredAt) {
    send(id, scope, vector, hash, occurredAt, occurredAt);
  }

  private void send(String id, String scope, float[] vector, String hash, Instant occurredAt, Instant timestamp) {
    embedded.pipeInput(id, DedupHarness.media(id, scope, vector, hash, occurredAt), timestamp);
  }

  private Map<String, DuplicateFlag> flagsRead;

  private Map<String, DuplicateFlag> flags() {
    if (flagsRead == null) {
      flagsRead = duplicates.readKeyValuesToMap();
    }
    return flagsRead;
  }

  private DuplicateFlag flag(String id) {
    return flags().get(id);
  }

  /** The cell store's records, decoded. */
  private List<StoredEvent> storedEvents() {
    List<StoredEvent> events = new java.util.ArrayList<>();
    try (var all = driver.<String, byte[]>getKeyValueStore(IndexProcessor.CELL_STORE).all()) {
      all.forEachRemaining(kv -> events.add(DedupCodec.storedEvent(kv.value)));
    }
    return events;
  }

  private static long count(KeyValueStore<String, ?> store) {
    long n = 0;
    try (var all = store.all()) {
      while (all.hasNext()) {
        all.next();
        n++;
      }
    }
    return n;
  }
}
