package dev.sieve.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaPart;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.labels.LabelEngine;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.testing.AxisEmbeddingProvider;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * A label the compiler compiled is not compiled again while its centroids are on their way; but
 * when Kafka Streams revives the task (closes it, then calls init() again on the same processor),
 * the transaction carrying them was aborted, so the next check must compile it again.
 */
class LabelCompileReviveTest {

  private final AxisEmbeddingProvider provider = new AxisEmbeddingProvider("m", 4);
  private final SieveConfig config = new ConfigSources().defaults(Map.of(
      "bootstrap.servers", "unused:9092",
      "application.id", "label-compile-revive-test",
      SieveConfig.REGISTRY_URL, "mem://label-compile-revive-test-" + UUID.randomUUID())).toConfig();
  private final SieveTopics topics = SieveTopics.from(config);

  @Test
  void aRevivedTaskCompilesAgainTheLabelWhoseCentroidsNeverArrived() {
    LabelCompileProcessor processor = new LabelCompileProcessor(
        topics.avro().valueSerde(LabelDefinition.class).deserializer(), topics.labels().name(),
        LabelEngine.from(config, provider), SieveMetrics.disabled());
    KeyValueStore<String, byte[]> definitions = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(LabelCompileProcessor.STORE), Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    MockProcessorContext<String, Outcome<LabelCentroids>> context = context(definitions, true);
    processor.init(context);
    LabelDefinition sports = LabelDefinition.newBuilder().setId("sports").setKind(LabelKind.CATEGORY)
        .setThreshold(0.5f).setExamples(List.of(MediaPart.newBuilder().setText("v:1,0").build()))
        .setNegativeExamples(List.of()).build();
    context.setRecordMetadata(topics.labels().name(), 0, 0);
    processor.process(new Record<>("sports",
        topics.avro().valueSerde(LabelDefinition.class).serializer().serialize(topics.labels().name(), sports), 0L));
    assertThat(context.forwarded()).hasSize(1);

    // the centroids are on their way (nothing reached the catalog here): not compiled again
    check(context);
    assertThat(context.forwarded()).hasSize(1);

    processor.close();
    MockProcessorContext<String, Outcome<LabelCentroids>> revived = context(definitions, false);
    processor.init(revived);
    check(revived);

    assertThat(revived.forwarded()).hasSize(1);
    assertThat(revived.forwarded().get(0).record().value().value().getLabelId()).isEqualTo("sports");
  }

  private static MockProcessorContext<String, Outcome<LabelCentroids>> context(
      KeyValueStore<String, byte[]> definitions, boolean initStore) {
    MockProcessorContext<String, Outcome<LabelCentroids>> context = new MockProcessorContext<>();
    if (initStore) {
      definitions.init(context.getStateStoreContext(), definitions);
    }
    context.addStateStore(definitions);
    return context;
  }

  private static void check(MockProcessorContext<String, Outcome<LabelCentroids>> context) {
    context.scheduledPunctuators().forEach(punctuator -> punctuator.getPunctuator().punctuate(0));
  }
}
