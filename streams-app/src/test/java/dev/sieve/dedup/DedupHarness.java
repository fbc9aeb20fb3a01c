package dev.sieve.dedup;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.ModelSpace;
import dev.sieve.deadletter.Rejection;
import dev.sieve.serde.AvroSerdes;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The de-duplication sub-topology on its own: embedded events in, flags out, and rejections as
 * {@code stage/reason} strings, so tests can feed it vectors they constructed.
 */
final class DedupHarness {

  static final ModelSpace SPACE = ModelSpace.newBuilder()
      .setProvider("test").setModel("constructed").setDimensions(64).setInstruction("").build();

  final Topic<String, EmbeddedMedia> embedded;
  final Topic<String, DuplicateFlag> duplicates;
  final Topic<String, String> rejections;

  DedupHarness(String registryUrl, String prefix) {
    AvroSerdes avro = AvroSerdes.from(new dev.sieve.config.ConfigSources()
        .defaults(Map.of("bootstrap.servers", "unused:9092", "sieve.registry.url", registryUrl)).toConfig());
    embedded = new Topic<>(prefix + "embedded", Serdes.String(), avro.valueSerde(EmbeddedMedia.class));
    duplicates = new Topic<>(prefix + "duplicates", Serdes.String(), avro.valueSerde(DuplicateFlag.class));
    rejections = new Topic<>(prefix + "rejections", Serdes.String(), Serdes.String());
  }

  Topology topology(DedupSettings settings) {
    return topology(settings, duplicates);
  }

  /** The sub-topology writing its flags with {@code output}'s serdes (e.g. one that fails on purpose). */
  Topology topology(DedupSettings settings, Topic<String, DuplicateFlag> output) {
    StreamsBuilder builder = new StreamsBuilder();
    var accepted = builder.stream(embedded.name(), Consumed.with(embedded.keySerde(), embedded.valueSerde()))
        .mapValues((id, media) -> Outcome.accepted(media, id.getBytes(StandardCharsets.UTF_8), null));
    DuplicateDetection.attach(accepted, settings, output, dev.sieve.metrics.SieveMetrics.disabled())
        .mapValues(outcome -> {
          Rejection rejection = ((Outcome.Rejected<Probe>) outcome).rejection();
          return rejection.stage().code() + "/" + rejection.reason();
        })
        .to(rejections.name(), Produced.with(Serdes.String(), Serdes.String()));
    return builder.build();
  }

  static EmbeddedMedia media(String id, String scope, float[] vector, String contentHash, Instant occurredAt) {
    return media(id, scope, vector, contentHash, occurredAt, null);
  }

  /** An embedded text: {@code text}'s lexical signature goes with the vector (null: not a text). */
  static EmbeddedMedia media(String id, String scope, float[] vector, String contentHash, Instant occurredAt,
      String text) {
    List<Float> values = new ArrayList<>(vector.length);
    for (float v : vector) {
      values.add(v);
    }
    return EmbeddedMedia.newBuilder()
        .setId(id)
        .setOccurredAt(occurredAt)
        .setScope(scope)
        .setSpace(SPACE)
        .setVector(values)
        .setContentHash(contentHash)
        .setLexicalSignature(text == null ? null
            : java.util.Arrays.stream(dev.sieve.embed.LexicalSignature.of(text)).boxed().toList())
        .build();
  }
}
