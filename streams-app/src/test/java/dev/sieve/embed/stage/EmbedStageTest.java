package dev.sieve.embed.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sieve.dedup.DedupSettings;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.deadletter.DeadLetterHeaders;
import dev.sieve.embed.Parts;
import dev.sieve.embed.ProgrammableProvider;
import dev.sieve.testing.DriverTopics;
import dev.sieve.topology.Outcome.Source;
import dev.sieve.topology.SieveTopics;
import dev.sieve.labels.LabelEngine;
import dev.sieve.topology.SieveTopology;
import dev.sieve.validate.EventLimits;
import dev.sieve.validate.EventValidator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embed stage in the whole topology on {@code TopologyTestDriver}, with a scripted provider.
 * Results arrive from worker threads; tests fire the wall-clock punctuator by hand until the
 * expected records are out (with a deadline), or advance the clock past the linger on purpose.
 */
class EmbedStageTest {

  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final EmbedStageSettings BASE = EmbedStageSettings.DEFAULTS
      .withBatchSize(1).withLinger(Duration.ZERO).withMaxInFlight(4)
      .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50));

  private final ProgrammableProvider provider = new ProgrammableProvider(100);
  private final DurableInMemoryStores stores = new DurableInMemoryStores();
  private final Map<Source, byte[]> inputTopic = new HashMap<>();
  private final SieveConfig config = new ConfigSources().defaults(Map.of(
      "bootstrap.servers", "unused:9092",
      "application.id", "embed-stage-test",
      SieveConfig.TOPICS_PARTITIONS, 1, // as TopologyTestDriver runs every topic (the dedup index checks)
      SieveConfig.REGISTRY_URL, "mem://embed-stage-test-" + UUID.randomUUID())).toConfig();
  private final SieveTopics topics = SieveTopics.from(config);

  private EmbedStage stage;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> events;
  private TestOutputTopic<String, EmbeddedMedia> embeddings;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @AfterEach
  void close() {
    provider.close();
    if (driver != null) {
      driver.close();
    }
    if (stage != null) {
      stage.close();
    }
  }

  @Test
  void recordsAreBatchedUpToTheBatchSizeAndTheRestAfterTheLinger() throws Exception {
    start(BASE.withBatchSize(3).withLinger(Duration.ofSeconds(5)));
    for (int i = 1; i <= 7; i++) {
      send("e" + i, "text " + i);
    }
    awaitUntilWithoutPunctuating(() -> provider.calls().size() == 2);
    driver.advanceWallClockTime(Duration.ofSeconds(4));
    assertThat(provider.calls()).hasSize(2);

    driver.advanceWallClockTime(Duration.ofSeconds(1));
    awaitEmbeddings(7);

    // The first two batches run concurrently and may finish in either order.
    List<ProgrammableProvider.Call> calls = provider.calls();
    assertThat(calls.subList(0, 2)).extracting(ProgrammableProvider.Call::texts).containsExactlyInAnyOrder(
        List.of("text 1", "text 2", "text 3"), List.of("text 4", "text 5", "text 6"));
    assertThat(calls.get(2).texts()).containsExactly("text 7");
    assertThat(embeddings.readKeyValuesToList()).extracting(kv -> kv.key)
        .containsExactlyInAnyOrder("e1", "e2", "e3", "e4", "e5", "e6", "e7");
  }

  @Test
  void theProviderBatchLimitCapsTheConfiguredBatchSize() {
    ProgrammableProvider small = new ProgrammableProvider(2);
    startWith(small, BASE.withBatchSize(10).withLinger(Duration.ofSeconds(5)), new DurableInMemoryStores());
    for (int i = 1; i <= 4; i++) {
      send("e" + i, "text " + i);
    }
    awaitEmbeddings(4);
    assertThat(small.calls()).extracting(call -> call.texts().size()).containsExactly(2, 2);
  }

  @Test
  void atMostMaxInFlightBatchesAreEmbeddedAtOnce() {
    start(BASE.withMaxInFlight(2));
    provider.hold("*");
    for (int i = 1; i <= 6; i++) {
      send("e" + i, "text " + i);
    }
    awaitUntil(() -> provider.calls().size() == 2);
    provider.release("*");
    awaitEmbeddings(6);

    assertThat(provider.calls()).hasSize(6);
    assertThat(provider.mostConcurrentCalls()).isEqualTo(2);
  }

  @Test
  void aFreeWorkerTakesTheNextBatchWithoutWaitingForTheStreamThread() throws InterruptedException {
    start(BASE.withMaxInFlight(1));
    provider.hold("*");
    for (int i = 1; i <= 3; i++) {
      send("e" + i, "text " + i);
    }
    awaitUntil(() -> provider.calls().size() == 1);

    provider.release("*");
    // no input and no punctuation from here: the stream thread hands nothing over
    awaitUntilWithoutPunctuating(() -> provider.calls().size() == 3);

    awaitEmbeddings(3);
    assertThat(provider.mostConcurrentCalls()).isEqualTo(1);
  }

  @Test
  void recordsLeaveInInputOrderWhileTheirBatchesRunConcurrently() {
    start(BASE);
    provider.hold("slow first");
    send("a", "slow first");
    send("a", "fast second");
    send("b", "other id");
    // All three are with the model at once, but nothing may overtake the first record.
    awaitUntil(() -> provider.calls().size() == 3);
    for (int i = 0; i < 20; i++) {
      driver.advanceWallClockTime(EmbedStageProcessor.PUNCTUATE_INTERVAL);
    }
    assertThat(embeddings.isEmpty()).isTrue();

    provider.release("slow first");
    awaitEmbeddings(3);
    assertThat(embeddings.readKeyValuesToList()).extracting(kv -> kv.key, kv -> kv.value.getVector())
        .containsExactly(tuple("a", vector("slow first")), tuple("a", vector("fast second")),
            tuple("b", vector("other id")));
  }

  @Test
  void aFullTaskWaitsInProcessUntilResultsMakeRoom() throws Exception {
    start(BASE.withMaxInFlight(1).withMaxPending(2, Duration.ofSeconds(30)));
    provider.hold("one");
    send("e1", "one");
    send("e2", "two");
    Thread third = new Thread(() -> send("e3", "three"));
    third.start();
    awaitUntilWithoutPunctuating(() -> third.getState() == Thread.State.TIMED_WAITING);
    // The worker makes its (held) call on its own thread, possibly after the task filled up.
    awaitUntilWithoutPunctuating(() -> !provider.calls().isEmpty());
    assertThat(provider.calls()).hasSize(1);
    assertThat(embeddings.isEmpty()).isTrue();

    provider.release("one");
    third.join(DEADLINE.toMillis());
    assertThat(third.isAlive()).isFalse();
    // Forwarded by the waiting process() call itself: nothing punctuated in between.
    assertThat(embeddings.getQueueSize()).isGreaterThanOrEqualTo(1);
    awaitEmbeddings(3);
    assertThat(embeddings.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("e1", "e2", "e3");
  }

  @Test
  void aFullTaskKeepsFillingItsOpenBatchWhileItHasABatchOut() throws Exception {
    start(BASE.withBatchSize(3).withLinger(Duration.ofSeconds(5)).withMaxInFlight(1)
        .withMaxPending(4, Duration.ofSeconds(30)));
    provider.hold("*");
    for (int i = 1; i <= 4; i++) {
      send("e" + i, "text " + i);
    }
    Thread fifth = new Thread(() -> send("e5", "text 5"));
    fifth.start();
    awaitUntilWithoutPunctuating(() -> fifth.getState() == Thread.State.TIMED_WAITING);
    awaitUntilWithoutPunctuating(() -> provider.calls().size() == 1);
    // full, with its first batch out: the open batch (e4) is not sent half empty
    assertThat(stage.workers().waitingBatches()).isZero();
    assertThat(provider.calls()).hasSize(1);

    provider.release("*");
    fifth.join(DEADLINE.toMillis());
    send("e6", "text 6");
    awaitEmbeddings(6);
    assertThat(provider.calls()).extracting(ProgrammableProvider.Call::texts).containsExactly(
        List.of("text 1", "text 2", "text 3"), List.of("text 4", "text 5", "text 6"));
  }

  @Test
  void aLingeredBatchKeepsFillingWhileBatchesWaitForAWorker() {
    start(BASE.withBatchSize(3).withMaxInFlight(1));
    provider.hold("*");
    send("e1", "text 1");
    awaitUntil(() -> provider.calls().size() == 1);
    send("e2", "text 2"); // lingered at once (linger 0), no batch waiting: it goes, and waits
    for (int i = 3; i <= 5; i++) {
      send("e" + i, "text " + i); // lingered too, but a batch waits for the busy worker
    }

    provider.release("*");
    awaitEmbeddings(5);
    assertThat(provider.calls()).extracting(ProgrammableProvider.Call::texts).containsExactly(
        List.of("text 1"), List.of("text 2"), List.of("text 3", "text 4", "text 5"));
  }

  @Test
  void aFullTaskTakesTheRecordAnywayAfterMaxBlock() throws Exception {
    start(BASE.withMaxInFlight(1).withMaxPending(1, Duration.ofMillis(50)));
    provider.hold("one");
    send("e1", "one");
    long start = System.nanoTime();
    send("e2", "two");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    assertThat(embeddings.isEmpty()).isTrue();

    provider.release("one");
    awaitEmbeddings(2);
    assertThat(embeddings.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("e1", "e2");
  }

  @Test
  void anUnavailableProviderIsRetriedNoSoonerThanItsRetryAfter() {
    start(BASE);
    provider.failNext(2, Duration.ofMillis(100));
    send("e1", "one");
    awaitEmbeddings(1);

    List<ProgrammableProvider.Call> calls = provider.calls();
    assertThat(calls).hasSize(3);
    assertThat(calls.get(1).startedNanos() - calls.get(0).startedNanos()).isGreaterThanOrEqualTo(100_000_000L);
    assertThat(calls.get(2).startedNanos() - calls.get(1).startedNanos()).isGreaterThanOrEqualTo(100_000_000L);
    assertThat(embeddings.readKeyValue().key).isEqualTo("e1");
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void aRefusedBatchIsRetriedSinglyAndOnlyTheCulpritIsDeadLettered() {
    start(BASE.withBatchSize(3).withLinger(Duration.ofSeconds(5)));
    provider.poison("poison");
    send("a", "fine a");
    send("p", "poison");
    send("c", "fine c");
    awaitEmbeddings(2);
    awaitUntil(() -> deadLetters.getQueueSize() == 1);

    assertThat(provider.calls()).extracting(ProgrammableProvider.Call::texts).containsExactly(
        List.of("fine a", "poison", "fine c"), List.of("fine a"), List.of("poison"), List.of("fine c"));
    assertThat(embeddings.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a", "c");
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("p");
    assertThat(header(dead, DeadLetterHeaders.STAGE)).isEqualTo("embed");
    assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("provider-rejected");
    assertThat(header(dead, DeadLetterHeaders.MESSAGE)).isEqualTo("scripted refusal of a batch of 1");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
    assertThat(dead.value()).isEqualTo(serialized("p", "poison"));
  }

  @Test
  void contentRefusedByPrepareIsDeadLetteredWithItsReason() {
    start(BASE);
    provider.refuseAtPrepare("no way");
    send("x", "no way");
    awaitUntil(() -> deadLetters.getQueueSize() == 1);
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, DeadLetterHeaders.STAGE)).isEqualTo("embed");
    assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("unsupported-modality-for-provider");
    assertThat(header(dead, DeadLetterHeaders.MESSAGE)).isEqualTo("refused: no way");
    assertThat(provider.calls()).isEmpty();
  }

  @Test
  void repeatedContentIsEmbeddedOnce() {
    start(BASE.withBatchSize(10).withLinger(Duration.ofSeconds(5)));
    send("a", "same words");
    send("b", "same words");
    driver.advanceWallClockTime(Duration.ofSeconds(5));
    awaitEmbeddings(2);
    send("c", "same words");
    awaitEmbeddings(3);

    assertThat(provider.textsSent()).containsExactly("same words");
    List<KeyValue<String, EmbeddedMedia>> out = embeddings.readKeyValuesToList();
    assertThat(out).extracting(kv -> kv.key).containsExactly("a", "b", "c");
    assertThat(out).extracting(kv -> kv.value.getVector()).containsOnly(vector("same words"));
    assertThat(out).extracting(kv -> kv.value.getContentHash()).containsOnly(out.get(0).value.getContentHash());
    // the signature made by the worker (a, b) and on a cache hit (c)
    assertThat(out).extracting(kv -> kv.value.getLexicalSignature())
        .containsOnly(java.util.Arrays.stream(dev.sieve.embed.LexicalSignature.of("same words")).boxed().toList());
    assertThat(stage.cacheStatistics().hits()).isEqualTo(2);
    assertThat(stage.cacheStatistics().misses()).isEqualTo(1);
  }

  @Test
  void theCacheEvictsTheOldestContentBeyondItsCapacity() {
    start(BASE.withCacheEntries(2));
    for (String text : List.of("one", "two", "three", "one", "three")) {
      send(text, text);
      awaitUntil(() -> embeddings.getQueueSize() == 1);
      embeddings.readRecord();
    }
    assertThat(provider.textsSent()).containsExactly("one", "two", "three", "one");
  }

  @Test
  void pendingRecordsAreSubmittedAgainAfterARestartAndAnsweredOnce() {
    EmbedStageSettings settings = BASE.withInlineMaxBytes(80);
    start(settings);
    provider.hold("*");
    send("small", "short");
    String big = "a long text that is stored by reference, not copied into the pending store";
    send("big", big);
    send("small", "short again");
    awaitUntil(() -> provider.calls().size() == 3);
    assertThat(stores.size(EmbedStage.PENDING_STORE)).isEqualTo(3);
    driver.close();
    driver = null;
    stage.close();
    provider.release("*");
    int callsBeforeRestart = provider.calls().size();

    inputTopic.put(new Source(topics.events().name(), 0, 1), serialized("big", big));
    start(settings);
    awaitEmbeddings(3);

    assertThat(provider.calls()).hasSize(callsBeforeRestart + 3);
    List<KeyValue<String, EmbeddedMedia>> out = embeddings.readKeyValuesToList();
    assertThat(out).extracting(kv -> kv.key).containsExactlyInAnyOrder("small", "small", "big");
    assertThat(out.stream().filter(kv -> kv.key.equals("small")).map(kv -> kv.value.getVector()))
        .containsExactly(vector("short"), vector("short again"));
    assertThat(out.stream().filter(kv -> kv.key.equals("big")).map(kv -> kv.value.getVector()))
        .containsExactly(vector(big));
    assertThat(stores.size(EmbedStage.PENDING_STORE)).isZero();
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(embeddings.isEmpty()).isTrue();
  }

  @Test
  void aPendingRecordWhoseInputIsGoneIsDeadLetteredAfterARestart() {
    EmbedStageSettings settings = BASE.withInlineMaxBytes(0);
    start(settings);
    provider.hold("*");
    send("gone", "text");
    awaitUntil(() -> provider.calls().size() == 1);
    driver.close();
    driver = null;
    stage.close();
    provider.release("*");

    start(settings);
    awaitUntil(() -> deadLetters.getQueueSize() == 1);
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("source-record-unavailable");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("gone");
  }

  private void start(EmbedStageSettings settings) {
    startWith(provider, settings, stores);
  }

  private void startWith(ProgrammableProvider with, EmbedStageSettings settings, DurableInMemoryStores on) {
    SourceReader reader = new SourceReader() {
      @Override
      public Optional<byte[]> value(Source source) {
        return Optional.ofNullable(inputTopic.get(source));
      }

      @Override
      public void close() {}
    };
    stage = new EmbedStage(with, settings, topics.eventDeserializer(), () -> reader, on::supplier);
    driver = new TopologyTestDriver(
        SieveTopology.build(topics, new EventValidator(EventLimits.from(config)), stage,
            LabelEngine.from(config, with), DedupSettings.from(config)), config.streamsProperties());
    events = DriverTopics.input(driver, topics.events());
    embeddings = DriverTopics.output(driver, topics.embeddings());
    deadLetters = DriverTopics.output(driver, topics.deadLetters());
  }

  private void send(String id, String text) {
    events.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), serialized(id, text),
        new RecordHeaders(), Instant.EPOCH));
  }

  private byte[] serialized(String id, String text) {
    MediaEvent event = MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.EPOCH).setSource("test")
        .setParts(List.of(Parts.text(text))).setAttributes(Map.of()).build();
    return topics.avro().valueSerde(MediaEvent.class).serializer().serialize(topics.events().name(), event);
  }

  private void awaitEmbeddings(int count) {
    awaitUntil(() -> embeddings.getQueueSize() >= count);
    assertThat(embeddings.getQueueSize()).isEqualTo(count);
  }

  /** Fires the punctuator (10 ms of wall-clock time at a time) until the condition holds. */
  private void awaitUntil(BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", DEADLINE).isLessThan(deadline);
      driver.advanceWallClockTime(EmbedStageProcessor.PUNCTUATE_INTERVAL);
      Thread.onSpinWait();
    }
  }

  /** Waits for a condition while another thread uses the driver. */
  private static void awaitUntilWithoutPunctuating(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", DEADLINE).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  private static List<Float> vector(String text) {
    float[] vector = ProgrammableProvider.vectorOf(text);
    Float[] boxed = new Float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      boxed[i] = vector[i];
    }
    return List.of(boxed);
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    return DeadLetterHeaders.text(record.headers(), name);
  }
}
