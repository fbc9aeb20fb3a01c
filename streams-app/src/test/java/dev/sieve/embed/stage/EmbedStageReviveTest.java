package dev.sieve.embed.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.embed.Parts;
import dev.sieve.embed.ProgrammableProvider;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.SieveTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams revives a corrupted task by closing it and calling {@code init()} again on the
 * same processor: the stage must start over from its store, and a batch of the closed run that
 * comes back late must not be applied.
 */
class EmbedStageReviveTest {

  private final ProgrammableProvider provider = new ProgrammableProvider(100);
  private final SieveConfig config = new ConfigSources().defaults(Map.of(
      "bootstrap.servers", "unused:9092",
      "application.id", "embed-stage-revive-test",
      SieveConfig.REGISTRY_URL, "mem://embed-stage-revive-test-" + UUID.randomUUID())).toConfig();
  private final SieveTopics topics = SieveTopics.from(config);
  private final EmbedStage stage = new EmbedStage(provider,
      EmbedStageSettings.DEFAULTS.withBatchSize(1).withLinger(Duration.ZERO).withMaxInFlight(2),
      topics.eventDeserializer(), () -> {
        throw new AssertionError("values are stored inline");
      }, Stores::inMemoryKeyValueStore);

  @AfterEach
  void close() {
    provider.close();
    stage.close();
  }

  @Test
  void aRevivedTaskAnswersItsPendingRecordsOnceAndDropsTheClosedRunsLateResults() throws Exception {
    MockProcessorContext<String, Outcome<EmbeddedMedia>> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(0);
    for (StoreBuilder<?> builder : stage.stores()) {
      StateStore store = builder.withLoggingDisabled().build();
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
    }
    KeyValueStore<Long, ?> pendingStore = context.getStateStore(EmbedStage.PENDING_STORE);
    Processor<String, Outcome<MediaEvent>, String, Outcome<EmbeddedMedia>> processor = stage.get();
    provider.hold("*");
    processor.init(context);
    context.setRecordMetadata(topics.events().name(), 0, 0);
    processor.process(new Record<>("e1", accepted("e1", "one"), 0L));
    awaitCalls(1);

    processor.close(); // the held call belongs to the closed run
    processor.init(context); // revived: the pending record is submitted again
    awaitCalls(2);
    provider.release("*");

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (pendingStore.approximateNumEntries() > 0 && System.nanoTime() < deadline) {
      context.scheduledPunctuators().forEach(punctuator -> punctuator.getPunctuator().punctuate(0));
      Thread.sleep(1);
    }
    // both runs' calls have answered; the closed run's answer must not be applied a second time
    while (stage.totals().calls() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    context.scheduledPunctuators().forEach(punctuator -> punctuator.getPunctuator().punctuate(0));

    assertThat(pendingStore.approximateNumEntries()).isZero();
    assertThat(context.forwarded()).hasSize(1);
    assertThat(context.forwarded().get(0).record().key()).isEqualTo("e1");
    assertThat(context.forwarded().get(0).record().value()).isInstanceOf(Outcome.Accepted.class);
  }

  private Outcome<MediaEvent> accepted(String id, String text) {
    MediaEvent event = MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.EPOCH).setSource("test")
        .setParts(List.of(Parts.text(text))).setAttributes(Map.of()).build();
    byte[] value = topics.avro().valueSerde(MediaEvent.class).serializer().serialize(topics.events().name(), event);
    return Outcome.accepted(event, id.getBytes(java.nio.charset.StandardCharsets.UTF_8), value);
  }

  private void awaitCalls(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (provider.calls().size() < count) {
      assertThat(System.nanoTime()).as("%d provider calls", count).isLessThan(deadline);
      Thread.sleep(1);
    }
  }
}
