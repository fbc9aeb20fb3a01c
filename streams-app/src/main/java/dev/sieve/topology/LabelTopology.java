package dev.sieve.topology;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.classify.Classification;
import dev.sieve.classify.Classifier;
import dev.sieve.labels.LabelEngine;
import dev.sieve.metrics.SieveMetrics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The label parts of Sieve's topology:
 *
 * <pre>
 * sieve.labels ─► compile ─┬─► sieve.label-centroids ─► global store (every instance) ─► catalog
 *                          └─► media.events.dlq (definitions that cannot be compiled)
 * embedded events ─► classify (catalog's snapshot) ─┬─► media.categories
 *                                                   └─► media.moderation
 * </pre>
 */
final class LabelTopology {

  private LabelTopology() {}

  /** One category and one moderation record per embedded event, keyed by event id. */
  static void classify(KStream<String, EmbeddedMedia> embedded, SieveTopics topics, LabelEngine labels,
      SieveMetrics metrics) {
    Classifier classifier = new Classifier(labels.catalog()::snapshot);
    KStream<String, Classification> classified = embedded.mapValues(classifier::classify, Named.as("classify"));
    classified.mapValues(Classification::category, Named.as("category"))
        .to(topics.categories().name(), topics.categories().produced());
    classified.mapValues(classification -> {
          metrics.verdict(classification.moderation());
          return classification.moderation();
        }, Named.as("moderation"))
        .to(topics.moderation().name(), topics.moderation().produced());
  }

  /** The compiler (labels topic → centroids topic) and the global centroid store feeding the catalog. */
  static void addCompilerAndCentroids(StreamsBuilder builder, SieveTopics topics, LabelEngine labels,
      SieveMetrics metrics) {
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(LabelCompileProcessor.STORE), Serdes.String(), Serdes.ByteArray()));
    var definitions = topics.avro().valueSerde(LabelDefinition.class).deserializer();
    builder.stream(topics.labels().name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
            .withName(topics.labels().name()))
        .process(() -> new LabelCompileProcessor(definitions, topics.labels().name(), labels, metrics),
            Named.as("compile-label"), LabelCompileProcessor.STORE)
        .split(Named.as("compiled-"))
        .branch((id, outcome) -> outcome.isRejected(), Branched.withConsumer(rejected -> rejected
            .process(() -> new DeadLetterProcessor<>(metrics), Named.as("label-dead-letter"))
            // Named apart from the event pipeline's sink to the same topic.
            .to(topics.deadLetters().name(), topics.deadLetters().produced().withName("label-" + topics.deadLetters().name())),
            "rejected"))
        .defaultBranch(Branched.withConsumer(compiled -> compiled
            .mapValues(Outcome::value, Named.as("centroids-value"))
            .to(topics.centroids().name(), topics.centroids().produced()), "centroids"));

    var centroids = topics.avro().valueSerde(LabelCentroids.class).deserializer();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CentroidStoreProcessor.STORE),
            Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
        topics.centroids().name(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(topics.centroids().name() + "-global"),
        () -> new CentroidStoreProcessor(centroids, topics.centroids().name(), labels.catalog()));
  }
}
