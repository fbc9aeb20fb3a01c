package dev.sieve.topology;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.dedup.DedupSettings;
import dev.sieve.dedup.DuplicateDetection;
import dev.sieve.deadletter.Rejection;
import dev.sieve.deadletter.Rejection.Stage;
import dev.sieve.embed.EventEmbedder;
import dev.sieve.embed.UnembeddableContentException;
import dev.sieve.topology.Outcome.Step;
import dev.sieve.validate.EventValidator;
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
 *                                              ├─► dedup (package dedup) ─► media.duplicates
 *                                              └─► media.events.dlq (any rejection on the way)
 * </pre>
 */
public final class SieveTopology {

  private SieveTopology() {}

  public static Topology build(SieveTopics topics, EventValidator validator, EventEmbedder embedder) {
    return build(topics, validator, embedder, DedupSettings.DEFAULTS);
  }

  public static Topology build(SieveTopics topics, EventValidator validator, EventEmbedder embedder,
      DedupSettings dedup) {
    StreamsBuilder builder = new StreamsBuilder();

    KStream<String, Outcome<MediaEvent>> events = builder
        .stream(topics.events().name(), topics.events().consumed())
        .process(() -> new DecodeProcessor(topics.eventDeserializer()), Named.as("decode"));

    events
        .mapValues(outcome -> outcome.then(event -> validate(validator, event)), Named.as("validate"))
        .mapValues(outcome -> outcome.then(event -> embed(embedder, event)), Named.as("embed"))
        .split(Named.as("route-"))
        .branch((id, outcome) -> outcome.isRejected(), Branched.withConsumer(rejected -> rejected
            .process(DeadLetterProcessor::new, Named.as("dead-letter"))
            .to(topics.deadLetters().name(), topics.deadLetters().produced()), "rejected"))
        .defaultBranch(Branched.withConsumer(embedded -> {
          embedded
              .mapValues(Outcome::value, Named.as("embedded-value"))
              .to(topics.embeddings().name(), topics.embeddings().produced());
          DuplicateDetection.attach(embedded, dedup, topics.duplicates())
              .process(DeadLetterProcessor::new, Named.as("dedup-dead-letter"))
              .to(topics.deadLetters().name(), topics.deadLetters().produced().withName("dedup-dlq"));
        }, "embedded"));

    return builder.build();
  }

  private static Step<MediaEvent> validate(EventValidator validator, MediaEvent event) {
    return validator.validate(event).<Step<MediaEvent>>map(Step::reject).orElseGet(() -> Step.of(event));
  }

  private static Step<EmbeddedMedia> embed(EventEmbedder embedder, MediaEvent event) {
    try {
      return Step.of(embedder.embed(event));
    } catch (UnembeddableContentException e) {
      return Step.reject(new Rejection(Stage.EMBED, e.reason(), e.getMessage()));
    }
  }
}
