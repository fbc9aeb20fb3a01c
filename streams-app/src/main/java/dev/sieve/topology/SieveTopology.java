package dev.sieve.topology;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.dedup.DedupSettings;
import dev.sieve.dedup.DuplicateDetection;
import dev.sieve.embed.stage.EmbedStage;
import dev.sieve.labels.LabelEngine;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.topology.Outcome.Step;
import dev.sieve.validate.EventValidator;
import java.util.Map;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Sieve's topology, top to bottom. Each step's logic lives in its own package; this class only
 * wires the steps together and routes every rejection to the dead-letter topic.
 *
 * <pre>
 * media.events ─► decode ─► validate ─► embed ─┬─► media.embeddings
 *                                              ├─► classify ─► media.categories, media.moderation
 *                                              ├─► dedup (package dedup) ─► media.duplicates
 *                                              └─► media.events.dlq (any rejection on the way)
 * sieve.labels ─► compile ─► sieve.label-centroids ─► global store read by classify
 * </pre>
 *
 * The label parts are in {@link LabelTopology}.
 */
public final class SieveTopology {

  private SieveTopology() {}

  /**
   * @param embedStage the embed step and its stores (batched, concurrent, durable; see EmbedStage)
   * @param labels the label compiler and classifier (see LabelTopology)
   * @param dedup the near-duplicate index's settings (see DuplicateDetection)
   */
  public static Topology build(SieveTopics topics, EventValidator validator, EmbedStage embedStage,
      LabelEngine labels, DedupSettings dedup) {
    return build(topics, validator, embedStage, labels, dedup, SieveMetrics.disabled());
  }

  /** @param metrics what the steps record: dead letters, verdicts, compile times, the index, duplicates */
  public static Topology build(SieveTopics topics, EventValidator validator, EmbedStage embedStage,
      LabelEngine labels, DedupSettings dedup, SieveMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    Embedded embedded = embed(builder, topics, validator, embedStage, metrics);
    LabelTopology.classify(embedded.media(), topics, labels, metrics);
    DuplicateDetection.attach(embedded.outcomes(), dedup, topics.duplicates(), metrics)
        .process(() -> new DeadLetterProcessor<>(metrics), Named.as("dedup-dead-letter"))
        .to(topics.deadLetters().name(), topics.deadLetters().produced().withName("dedup-dlq"));
    LabelTopology.addCompilerAndCentroids(builder, topics, labels, metrics);
    return builder.build();
  }

  /**
   * The embed step alone (events to {@code media.embeddings}, rejections to the dead-letter
   * topic): what {@code sieve bench embed} measures the stage with.
   */
  public static Topology embedOnly(SieveTopics topics, EventValidator validator, EmbedStage embedStage) {
    StreamsBuilder builder = new StreamsBuilder();
    embed(builder, topics, validator, embedStage, SieveMetrics.disabled());
    return builder.build();
  }

  /** The embedded events (all accepted), as outcomes and as the media themselves. */
  private record Embedded(KStream<String, Outcome<EmbeddedMedia>> outcomes, KStream<String, EmbeddedMedia> media) {}

  /**
   * Decode, validate and embed; writes the embedded events to {@code media.embeddings} and the
   * rejections to the dead-letter topic, and returns the embedded events.
   */
  private static Embedded embed(StreamsBuilder builder, SieveTopics topics,
      EventValidator validator, EmbedStage embedStage, SieveMetrics metrics) {
    Map<String, KStream<String, Outcome<EmbeddedMedia>>> routes = builder
        .stream(topics.events().name(), topics.events().consumed())
        .process(() -> new DecodeProcessor(topics.eventDeserializer(), validator.limits().maxRecordBytes()),
            Named.as("decode"))
        .mapValues(outcome -> outcome.then(event -> validate(validator, event)), Named.as("validate"))
        .process(embedStage, Named.as("embed"))
        .split(Named.as("route-"))
        .branch((id, outcome) -> outcome.isRejected(), Branched.as("rejected"))
        .defaultBranch(Branched.as("embedded"));
    routes.get("route-rejected")
        .process(() -> new DeadLetterProcessor<>(metrics), Named.as("dead-letter"))
        .to(topics.deadLetters().name(), topics.deadLetters().produced());
    KStream<String, Outcome<EmbeddedMedia>> embedded = routes.get("route-embedded");
    KStream<String, EmbeddedMedia> media = embedded.mapValues(Outcome::value, Named.as("embedded-value"));
    media.to(topics.embeddings().name(), topics.embeddings().produced());
    return new Embedded(embedded, media);
  }

  private static Step<MediaEvent> validate(EventValidator validator, MediaEvent event) {
    return validator.validate(event).<Step<MediaEvent>>map(Step::reject).orElseGet(() -> Step.of(event));
  }
}
