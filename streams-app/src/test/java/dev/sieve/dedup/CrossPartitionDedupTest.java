package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.DuplicateKind;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Near duplicates produced to different partitions of a 4-partition topic, processed by two
 * application instances under exactly-once, are flagged exactly once per pair, also through a
 * crash and replay.
 */
@ExtendWith(SharedKafkaBroker.class)
class CrossPartitionDedupTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int PARTITIONS = 4;
  private static final DedupSettings SETTINGS = new DedupSettings(0.9, Duration.ofDays(1), 4, 0.98, 11L)
      .withPartitions(PARTITIONS);

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path stateDirs;

  @Test
  void nearDuplicatesOnDifferentPartitionsAndInstancesAreFlaggedOncePerPair(
      EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    DedupHarness harness = provisionedHarness(broker, test, "cross");
    Vectors vectors = new Vectors(3, DedupHarness.SPACE.getDimensions());
    Instant t0 = Instant.now();
    List<String[]> pairs = new ArrayList<>();
    List<ProducerRecord<String, EmbeddedMedia>> records = new ArrayList<>();
    plant(harness, vectors, t0, 0, 30, 20, pairs, records);

    List<ConsumerRecord<String, DuplicateFlag>> read = flagsFromTwoInstances(broker, harness, test, records);

    assertOneFlagPerEventAndOncePerPair(read, records, pairs);
    assertOneProbeRecordPerIndexPartitionOfItsRoutesAndOneAnswerEach(broker, harness, records);
  }

  @Test
  void editedTextCopiesWhoseVectorsShareNoCellMeetAcrossPartitionsAndInstances(
      EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    DedupHarness harness = provisionedHarness(broker, test, "lexical");
    Vectors vectors = new Vectors(13, DedupHarness.SPACE.getDimensions());
    Texts texts = new Texts(13);
    Instant t0 = Instant.now();
    List<String[]> pairs = new ArrayList<>();
    List<ProducerRecord<String, EmbeddedMedia>> records = new ArrayList<>();
    for (int pair = 0; pair < 20; pair++) {
      // Opposite vectors: their cells never meet, only their band buckets can.
      float[] a = vectors.random();
      float[] b = new float[a.length];
      for (int i = 0; i < a.length; i++) {
        b[i] = -a[i];
      }
      String original = texts.message(30);
      String ida = "text" + pair + "-a";
      String idb = "text" + pair + "-b";
      pairs.add(new String[] {ida, idb});
      records.add(textRecord(harness, pair % PARTITIONS, ida, a, t0, original));
      records.add(textRecord(harness, (pair + 1) % PARTITIONS, idb, b, t0, Texts.edited(original)));
      // Another message on the same topic, its vector close: not a duplicate.
      float[] close = vectors.at(a, 0.95);
      records.add(textRecord(harness, (pair + 2) % PARTITIONS, "single-topic-" + pair, close, t0, texts.message(30)));
    }

    List<ConsumerRecord<String, DuplicateFlag>> read = flagsFromTwoInstances(broker, harness, test, records);

    assertOneFlagPerEventAndOncePerPair(read, records, pairs);
    assertThat(read).filteredOn(r -> r.value().getIsDuplicate()).allSatisfy(r -> {
      assertThat(r.value().getSimilarity()).isNull();
      assertThat(r.value().getJaccard()).isGreaterThanOrEqualTo(0.6f);
    });
    assertOneProbeRecordPerIndexPartitionOfItsRoutesAndOneAnswerEach(broker, harness, records);
  }

  @Test
  void anInstanceWithEmptyStateRestoresTheIndexFromItsChangelog(EmbeddedKafkaBroker broker, TestInfo test)
      throws Exception {
    DedupHarness harness = provisionedHarness(broker, test, "restore");
    Vectors vectors = new Vectors(5, DedupHarness.SPACE.getDimensions());
    Instant t0 = Instant.now();
    float[] original = vectors.random();
    try (KafkaStreams first = instance(broker, harness, test, "before")) {
      first.start();
      awaitRunning(first);
      produce(broker, harness, List.of(record(harness, 0, "original", original, t0)));
      assertThat(CommittedRecords.read(broker, harness.duplicates.name(), 1, TIMEOUT,
          harness.duplicates.valueSerde().deserializer())).hasSize(1);
    }
    // A new instance with another, empty state directory must rebuild the index from the changelog.
    try (KafkaStreams second = instance(broker, harness, test, "after")) {
      second.start();
      awaitRunning(second);
      produce(broker, harness, List.of(
          record(harness, 1, "same-vector", original, t0),
          record(harness, 2, "near", vectors.at(original, 0.999), t0)));
      Map<String, DuplicateFlag> flags = new HashMap<>();
      CommittedRecords.read(broker, harness.duplicates.name(), 3, TIMEOUT, harness.duplicates.valueSerde().deserializer())
          .forEach(r -> flags.put(r.key(), r.value()));
      assertThat(flags.get("original").getIsDuplicate()).isFalse();
      assertThat(flags.get("same-vector").getKind()).isEqualTo(DuplicateKind.NEAR);
      assertThat(flags.get("same-vector").getDuplicateOf()).isEqualTo("original");
      assertThat(flags.get("near").getDuplicateOf()).isEqualTo("original");
    }
  }

  @Test
  void anIndexStoredAsCopiesOfTheEarlierFormatDecidesAsBeforeIsConvertedAndRestoresConverted(
      EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    DedupHarness harness = provisionedHarness(broker, test, "convert");
    String changelog = IndexSeed.cellChangelog("app-" + harness.embedded.name());
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, TIMEOUT).provision(List.of(
          new TopicSpec(changelog, PARTITIONS, (short) 1, Map.of("cleanup.policy", "compact"))));
    }
    Vectors vectors = new Vectors(21, DedupHarness.SPACE.getDimensions());
    Texts texts = new Texts(21);
    Instant t0 = Instant.now();
    // The index an earlier version left: events stored in all their routes, one copy per cell and
    // band bucket, each in the changelog partition of its route.
    List<EmbeddedMedia> seeded = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      messages.add(texts.message(30));
      seeded.add(DedupHarness.media("seeded-" + i, "tenant", vectors.random(), "hash-seeded-" + i, t0));
      seeded.add(DedupHarness.media("seeded-text-" + i, "tenant", vectors.random(), "hash-seeded-text-" + i, t0,
          messages.get(i)));
    }
    Map<String, Map<Integer, Set<Integer>>> routesByPartition = new HashMap<>();
    Set<String> copyKeys = new HashSet<>();
    try (var producer = new KafkaProducer<>(broker.clientConfig(), new StringSerializer(), new ByteArraySerializer())) {
      for (EmbeddedMedia media : seeded) {
        for (ProbeGroup group : ProbeGroup.scatter(probe(media), PARTITIONS)) {
          StoredEvent stored = storedInAllRoutes(group, t0.toEpochMilli());
          if (stored == null) {
            continue;
          }
          routesByPartition.computeIfAbsent(group.eventId(), id -> new HashMap<>()).put(group.partition(),
              Arrays.stream(stored.placements().get(0).routes()).boxed().collect(Collectors.toSet()));
          // One at a time, each acknowledged: the changelog was just created, and a batch sent
          // ahead of a retried one can be refused for good (out of order), losing copies silently.
          for (Map.Entry<String, byte[]> copy : FormatTwoCopies.of(stored).entrySet()) {
            copyKeys.add(group.partition() + "/" + copy.getKey());
            producer.send(new ProducerRecord<>(changelog, group.partition(), t0.toEpochMilli(), copy.getKey(),
                copy.getValue())).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          }
        }
      }
    }
    assertThat(copyKeys).hasSize(7 * 2 + 7 * (2 + LexicalBands.BANDS));

    // Near copies of six stored vectors, and edited copies of six texts whose vectors share no cell.
    SimHash hash = new SimHash(SETTINGS.hashBits(), DedupHarness.SPACE.getDimensions(), SETTINGS.hashSeed(),
        CellRouter.spaceKey(DedupHarness.SPACE));
    List<ProducerRecord<String, EmbeddedMedia>> copies = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      float[] original = vectorOf(seeded.get(2 * i));
      float[] near;
      do {
        near = vectors.at(original, 0.97);
      } while (new IndexedItem("", 0, 0, "", hash.cells(original), null).decisionCell(hash.cells(near)) < 0);
      copies.add(record(harness, i % PARTITIONS, "near-" + i, near, t0));
      copies.add(textRecord(harness, (i + 1) % PARTITIONS, "edit-" + i, negated(vectorOf(seeded.get(2 * i + 1))), t0,
          Texts.edited(messages.get(i))));
    }
    // the last pair after a restart
    List<ProducerRecord<String, EmbeddedMedia>> more = copies.subList(12, 14);
    copies = copies.subList(0, 12);

    try (KafkaStreams first = instance(broker, harness, test, "upgraded")) {
      first.start();
      awaitRunning(first);
      produce(broker, harness, copies);
      assertCopiesFlagged(CommittedRecords.read(broker, harness.duplicates.name(), copies.size(), TIMEOUT,
          harness.duplicates.valueSerde().deserializer()), copies.size());

      // Converted under exactly-once: every copy deleted, one record per event and partition with its routes.
      Map<String, byte[]> converted = latestValues(broker, changelog, copyKeys.size(),
          latest -> copyKeys.stream().allMatch(key -> latest.containsKey(key) && latest.get(key) == null));
      routesByPartition.forEach((id, partitions) -> partitions.forEach((partition, routes) -> {
        StoredEvent event = DedupCodec.storedEvent(converted.get(partition + "/" + StoredEvent.key("tenant",
            CellRouter.spaceKey(DedupHarness.SPACE), id)));
        assertThat(event.placements()).singleElement().satisfies(p -> assertThat(p.routes()).as(id)
            .containsExactlyInAnyOrder(routes.stream().mapToInt(Integer::intValue).toArray()));
      }));
    }

    // A new instance with an empty state directory restores the converted index and decides on it.
    try (KafkaStreams fresh = instance(broker, harness, test, "after-conversion")) {
      fresh.start();
      awaitRunning(fresh);
      produce(broker, harness, more);
      List<ConsumerRecord<String, DuplicateFlag>> flags = CommittedRecords.read(broker, harness.duplicates.name(),
          copies.size() + more.size(), TIMEOUT, harness.duplicates.valueSerde().deserializer());
      Set<String> after = more.stream().map(ProducerRecord::key).collect(Collectors.toSet());
      assertCopiesFlagged(flags.stream().filter(r -> after.contains(r.key())).toList(), more.size());
    }
  }

  /** Each near copy is flagged NEAR of the stored event it copies, and only once. */
  private static void assertCopiesFlagged(List<ConsumerRecord<String, DuplicateFlag>> read, int expected) {
    assertThat(read).hasSize(expected);
    assertThat(read).allSatisfy(r -> {
      DuplicateFlag flag = r.value();
      assertThat(flag.getKind()).as(r.key()).isEqualTo(DuplicateKind.NEAR);
      String i = r.key().substring(r.key().indexOf('-') + 1);
      assertThat(flag.getDuplicateOf()).isEqualTo(r.key().startsWith("near-") ? "seeded-" + i : "seeded-text-" + i);
    });
  }

  private static Probe probe(EmbeddedMedia media) {
    return ((Outcome.Pass<Probe>) new DedupInputCheck(SETTINGS).check(media, System.currentTimeMillis())).value();
  }

  /** What the index stores of an event that matches nothing in a group's routes: the event in every cell and band bucket. */
  private static StoredEvent storedInAllRoutes(ProbeGroup group, long timestamp) {
    int[] routes = Arrays.stream(group.routes()).filter(route -> route != Probe.EXACT_ROUTE).toArray();
    if (routes.length == 0) {
      return null;
    }
    boolean cell = Arrays.stream(routes).anyMatch(route -> route >= 0);
    IndexedItem item = group.probe(cell ? group.cells()[0] : Probe.bandRoute(0)).item(timestamp);
    return StoredEvent.of(group.scope(), group.space(), item, routes);
  }

  private static float[] vectorOf(EmbeddedMedia media) {
    float[] v = new float[media.getVector().size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = media.getVector().get(i);
    }
    return v;
  }

  /**
   * The latest value of each key of a changelog ({@code partition/key}, null for a tombstone) as
   * committed, read until {@code done} holds for it; fails after {@link #TIMEOUT}.
   */
  private static Map<String, byte[]> latestValues(EmbeddedKafkaBroker broker, String topic, int atLeast,
      java.util.function.Predicate<Map<String, byte[]>> done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      Map<String, byte[]> latest = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : CommittedRecords.read(broker, topic, atLeast, TIMEOUT,
          new ByteArrayDeserializer())) {
        latest.put(r.partition() + "/" + r.key(), r.value());
      }
      if (done.test(latest)) {
        return latest;
      }
      assertThat(System.nanoTime()).as("%s as expected in time", topic).isLessThan(deadline);
    }
  }

  private static float[] negated(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }

  @Test
  void aCrashMidRunAndAReplayFlagEveryEventOnceAndEveryPairOnce(EmbeddedKafkaBroker broker, TestInfo test)
      throws Exception {
    DedupHarness harness = provisionedHarness(broker, test, "crash");
    Vectors vectors = new Vectors(9, DedupHarness.SPACE.getDimensions());
    Instant t0 = Instant.now();
    List<String[]> pairs = new ArrayList<>();
    List<ProducerRecord<String, EmbeddedMedia>> before = new ArrayList<>();
    List<ProducerRecord<String, EmbeddedMedia>> after = new ArrayList<>();
    plant(harness, vectors, t0, 0, 20, 10, pairs, before);
    plant(harness, vectors, t0, 20, 20, 10, pairs, after);
    // The first instance dies while writing the flag of a duplicate in the second half: the
    // serializer throws, the stream thread dies, its tasks close dirty and the open transaction
    // (index and gather store updates, answers, flags) is aborted.
    String trigger = pairs.get(30)[1];
    AtomicBoolean crashed = new AtomicBoolean();
    Serializer<DuplicateFlag> flags = harness.duplicates.valueSerde().serializer();
    Serializer<DuplicateFlag> crashing = (topic, flag) -> {
      if (flag.getEventId().equals(trigger) && crashed.compareAndSet(false, true)) {
        throw new IllegalStateException("crash on purpose while writing the flag of " + trigger);
      }
      return flags.serialize(topic, flag);
    };
    Topic<String, DuplicateFlag> crashingOutput = new Topic<>(harness.duplicates.name(), Serdes.String(),
        Serdes.serdeFrom(crashing, harness.duplicates.valueSerde().deserializer()));

    int committedBeforeCrash;
    try (KafkaStreams first = instance(broker, harness.topology(SETTINGS, crashingOutput), harness, "one")) {
      first.start();
      awaitRunning(first);
      produce(broker, harness, before);
      CommittedRecords.read(broker, harness.duplicates.name(), before.size(), TIMEOUT,
          harness.duplicates.valueSerde().deserializer());
      produce(broker, harness, after);
      awaitState(first, KafkaStreams.State.ERROR);
      first.close(Duration.ZERO);
    }
    assertThat(crashed).isTrue();
    committedBeforeCrash = CommittedRecords.read(broker, harness.duplicates.name(), 0, TIMEOUT,
        harness.duplicates.valueSerde().deserializer()).size();
    List<ProducerRecord<String, EmbeddedMedia>> all = new ArrayList<>(before);
    all.addAll(after);
    assertThat(committedBeforeCrash).isBetween(before.size(), all.size() - 1);

    // The same state directory (dirty, so wiped and restored from the changelogs) and a fresh one.
    try (KafkaStreams same = instance(broker, harness.topology(SETTINGS), harness, "one");
        KafkaStreams fresh = instance(broker, harness.topology(SETTINGS), harness, "two")) {
      same.start();
      fresh.start();
      List<ConsumerRecord<String, DuplicateFlag>> read = CommittedRecords.read(broker, harness.duplicates.name(),
          all.size(), TIMEOUT, harness.duplicates.valueSerde().deserializer());
      assertOneFlagPerEventAndOncePerPair(read, all, pairs);
    }
  }

  /** Every event has exactly one flag; of each planted pair exactly one is the NEAR duplicate of the other; no single is a duplicate. */
  private static void assertOneFlagPerEventAndOncePerPair(List<ConsumerRecord<String, DuplicateFlag>> read,
      List<ProducerRecord<String, EmbeddedMedia>> records, List<String[]> pairs) {
    assertThat(read).hasSize(records.size());
    Map<String, DuplicateFlag> flags = new HashMap<>();
    read.forEach(r -> flags.put(r.key(), r.value()));
    assertThat(flags.keySet()).isEqualTo(records.stream().map(ProducerRecord::key).collect(Collectors.toSet()));
    for (String[] p : pairs) {
      DuplicateFlag a = flags.get(p[0]);
      DuplicateFlag b = flags.get(p[1]);
      boolean aOfB = a.getIsDuplicate() && p[1].equals(a.getDuplicateOf());
      boolean bOfA = b.getIsDuplicate() && p[0].equals(b.getDuplicateOf());
      assertThat(aOfB ^ bOfA).as("pair %s/%s: %s, %s", p[0], p[1], a, b).isTrue();
      assertThat((aOfB ? a : b).getKind()).isEqualTo(DuplicateKind.NEAR);
    }
    assertThat(flags).allSatisfy((id, flag) -> {
      if (id.startsWith("single-")) {
        assertThat(flag.getIsDuplicate()).isFalse();
      }
    });
  }

  /**
   * On {@code dedup-index}, each event is exactly one record on each distinct index partition of
   * its routes (a text's 19 routes on at most 4), and on {@code dedup-gather} exactly one answer per
   * such record, each telling how many the gather waits for.
   */
  private static void assertOneProbeRecordPerIndexPartitionOfItsRoutesAndOneAnswerEach(EmbeddedKafkaBroker broker,
      DedupHarness harness, List<ProducerRecord<String, EmbeddedMedia>> records) {
    DedupInputCheck check = new DedupInputCheck(SETTINGS);
    Map<String, List<Integer>> expected = new HashMap<>();
    int routes = 0;
    for (ProducerRecord<String, EmbeddedMedia> record : records) {
      Probe event = ((Outcome.Pass<Probe>) check.check(record.value(), System.currentTimeMillis())).value();
      routes += event.routes().length;
      expected.put(event.eventId(), java.util.Arrays.stream(event.routes())
          .map(route -> event.toRoute(route).partition(PARTITIONS)).distinct().sorted().boxed().toList());
    }
    int groups = expected.values().stream().mapToInt(List::size).sum();
    String application = "app-" + harness.embedded.name();

    List<ConsumerRecord<String, ProbeGroup>> probes = CommittedRecords.read(broker,
        application + "-dedup-index-repartition", groups, TIMEOUT, DedupCodec.PROBE_GROUP.deserializer());
    assertThat(probes).hasSize(groups).hasSizeLessThanOrEqualTo(PARTITIONS * records.size()).hasSizeLessThan(routes);
    assertThat(probes).allSatisfy(r -> assertThat(r.value().partition()).isEqualTo(r.partition()));
    Map<String, List<Integer>> probed = probes.stream().collect(Collectors.groupingBy(r -> r.value().eventId(),
        Collectors.mapping(ConsumerRecord::partition, Collectors.toList())));
    probed.values().forEach(partitions -> partitions.sort(null));
    assertThat(probed).isEqualTo(expected);

    List<ConsumerRecord<String, Answer>> answers = CommittedRecords.read(broker,
        application + "-dedup-gather-repartition", groups, TIMEOUT, DedupCodec.ANSWER.deserializer());
    assertThat(answers).hasSize(groups);
    assertThat(answers).allSatisfy(r ->
        assertThat(r.value().expected()).isEqualTo(expected.get(r.value().eventId()).size()));
    assertThat(answers.stream().collect(Collectors.groupingBy(r -> r.value().eventId(),
        Collectors.mapping(r -> r.value().partition(), Collectors.toSet()))))
        .allSatisfy((id, partitions) -> assertThat(partitions).containsExactlyInAnyOrderElementsOf(expected.get(id)));
  }

  /**
   * Adds {@code count} near-duplicate pairs (cosine 0.95, the two on different partitions, cells
   * that meet: these tests are about consistency, not recall) and {@code singles} unrelated events.
   */
  private static void plant(DedupHarness harness, Vectors vectors, Instant t0, int first, int count, int singles,
      List<String[]> pairs, List<ProducerRecord<String, EmbeddedMedia>> records) {
    SimHash hash = new SimHash(SETTINGS.hashBits(), DedupHarness.SPACE.getDimensions(), SETTINGS.hashSeed(),
        CellRouter.spaceKey(DedupHarness.SPACE));
    int pair = first;
    while (pair < first + count) {
      float[] a = vectors.random();
      float[] b = vectors.at(a, 0.95);
      if (new IndexedItem("", 0, 0, "", hash.cells(a), null).decisionCell(hash.cells(b)) < 0) {
        continue;
      }
      String ida = "p" + pair + "-a";
      String idb = "p" + pair + "-b";
      pairs.add(new String[] {ida, idb});
      records.add(record(harness, pair % PARTITIONS, ida, a, t0));
      records.add(record(harness, (pair + 1) % PARTITIONS, idb, b, t0));
      pair++;
    }
    for (int i = first; i < first + singles; i++) {
      records.add(record(harness, i % PARTITIONS, "single-" + i, vectors.random(), t0));
    }
  }

  /** A harness on fresh topics, created with the test's partitions. */
  private static DedupHarness provisionedHarness(EmbeddedKafkaBroker broker, TestInfo test, String scope) {
    DedupHarness harness = new DedupHarness("mem://" + scope + "-" + UUID.randomUUID(), TopicNames.unique(test, "d") + "-");
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, TIMEOUT).provision(
          TopicSpec.of(harness.embedded.name(), PARTITIONS), TopicSpec.of(harness.duplicates.name(), PARTITIONS),
          TopicSpec.of(harness.rejections.name(), 1));
    }
    return harness;
  }

  /**
   * The flags two instances of one application write for {@code records}; both instances must
   * have done part of the work.
   */
  private List<ConsumerRecord<String, DuplicateFlag>> flagsFromTwoInstances(EmbeddedKafkaBroker broker,
      DedupHarness harness, TestInfo test, List<ProducerRecord<String, EmbeddedMedia>> records) throws Exception {
    try (KafkaStreams first = instance(broker, harness, test, "one");
        KafkaStreams second = instance(broker, harness, test, "two")) {
      first.start();
      second.start();
      awaitRunning(first, second);
      produce(broker, harness, records);
      List<ConsumerRecord<String, DuplicateFlag>> read = CommittedRecords.read(broker, harness.duplicates.name(),
          records.size(), TIMEOUT, harness.duplicates.valueSerde().deserializer());
      assertThat(first.metadataForLocalThreads()).allSatisfy(t -> assertThat(t.activeTasks()).isNotEmpty());
      assertThat(second.metadataForLocalThreads()).allSatisfy(t -> assertThat(t.activeTasks()).isNotEmpty());
      return read;
    }
  }

  private static void produce(EmbeddedKafkaBroker broker, DedupHarness harness,
      List<ProducerRecord<String, EmbeddedMedia>> records) {
    try (var producer = new KafkaProducer<>(broker.clientConfig(),
        harness.embedded.keySerde().serializer(), harness.embedded.valueSerde().serializer())) {
      records.forEach(producer::send);
    }
  }

  private static ProducerRecord<String, EmbeddedMedia> record(
      DedupHarness harness, int partition, String id, float[] vector, Instant t0) {
    return new ProducerRecord<>(harness.embedded.name(), partition, id,
        DedupHarness.media(id, "tenant", vector, "hash-" + id, t0));
  }

  private static ProducerRecord<String, EmbeddedMedia> textRecord(
      DedupHarness harness, int partition, String id, float[] vector, Instant t0, String text) {
    return new ProducerRecord<>(harness.embedded.name(), partition, id,
        DedupHarness.media(id, "tenant", vector, "hash-" + id, t0, text));
  }

  private KafkaStreams instance(EmbeddedKafkaBroker broker, DedupHarness harness, TestInfo test, String name) {
    return instance(broker, harness.topology(SETTINGS), harness, name);
  }

  private KafkaStreams instance(EmbeddedKafkaBroker broker, Topology topology, DedupHarness harness, String name) {
    Properties config = new Properties();
    config.putAll(broker.clientConfig());
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "app-" + harness.embedded.name());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDirs.resolve(name).toString());
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // Keep what went through the repartition topics, so tests can count it.
    config.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, Long.MAX_VALUE);
    // A closed instance's tasks move on after its session ends; keep that short.
    config.put(StreamsConfig.mainConsumerPrefix("session.timeout.ms"), 6000);
    config.put("processing.exception.handler.global.enabled", true);
    config.put(StreamsConfig.mainConsumerPrefix("processing.exception.handler.global.enabled"), true);
    return new KafkaStreams(topology, config);
  }

  private static void awaitState(KafkaStreams instance, KafkaStreams.State state) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (instance.state() != state) {
      assertThat(System.nanoTime()).as("state %s", state).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void awaitRunning(KafkaStreams... instances) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!java.util.Arrays.stream(instances).allMatch(s -> s.state() == KafkaStreams.State.RUNNING)) {
      assertThat(System.nanoTime()).as("instances running").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
