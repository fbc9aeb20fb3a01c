package dev.sieve.topology;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.ModelSpace;
import dev.sieve.deadletter.Rejection.Stage;
import dev.sieve.deadletter.Rejection;
import dev.sieve.labels.DefinitionHash;
import dev.sieve.labels.InvalidLabelException;
import dev.sieve.labels.LabelEngine;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.serde.RecordDecodingException;
import dev.sieve.serde.SchemaRegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label compiler: compiles each label definition read from the labels topic into centroids,
 * and a tombstone into a tombstone. A definition that cannot be compiled becomes a rejection (for
 * the dead-letter topic) and leaves the label's last good centroids in place.
 *
 * <p>The last good definition of each label is kept in a changelogged store. Every
 * {@code sieve.labels.check.interval.ms} the compiler compares them with the compiled centroids
 * this instance sees, and recompiles a label whose centroids are missing, of another definition,
 * or of another model space: that is how a model change (a restart with another provider)
 * recompiles every label. A label it compiled itself is not compiled again while its centroids are
 * on their way to the global store (what the store shows is older than that compile), nor after
 * the compile failed (until the definition changes).
 */
final class LabelCompileProcessor extends ContextualProcessor<String, byte[], String, Outcome<LabelCentroids>> {

  static final String STORE = StoredDefinition.STORE;

  private static final Logger log = LoggerFactory.getLogger(LabelCompileProcessor.class);

  private final Deserializer<LabelDefinition> deserializer;
  private final String topic;
  private final LabelEngine labels;
  private final SieveMetrics metrics;
  /** Per label: the definition hash and space last compiled here, and the resulting compiledAt. */
  private final Map<String, Compiled> compiledHere = new HashMap<>();
  private KeyValueStore<String, byte[]> definitions;

  LabelCompileProcessor(Deserializer<LabelDefinition> deserializer, String topic, LabelEngine labels,
      SieveMetrics metrics) {
    this.deserializer = deserializer;
    this.topic = topic;
    this.labels = labels;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Outcome<LabelCentroids>> context) {
    super.init(context);
    compiledHere.clear(); // init() again on the same processor when Kafka Streams revives a task
    definitions = context.getStateStore(STORE);
    context.schedule(labels.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::recompileOutdated);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String id = record.key();
    byte[] value = record.value();
    byte[] key = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
    if (id == null) {
      context().forward(record.withValue(Outcome.rejected(new Rejection(Stage.COMPILE, "missing-key",
          "a label record needs its label id as key"), key, value)));
      return;
    }
    if (value == null) {
      definitions.delete(id);
      compiledHere.remove(id);
      log.info("Label '{}' deleted", id);
      context().forward(record.withValue(Outcome.<LabelCentroids>accepted(null, key, null)));
      return;
    }
    LabelDefinition definition;
    try {
      definition = deserializer.deserialize(topic, record.headers(), value);
    } catch (SchemaRegistryUnavailableException e) {
      throw e;
    } catch (RecordDecodingException e) {
      context().forward(record.withValue(Outcome.rejected(new Rejection(Stage.DECODE, e.reason(), e.getMessage()), key, value)));
      return;
    } catch (SerializationException | ClassCastException | IllegalArgumentException e) {
      context().forward(record.withValue(Outcome.rejected(new Rejection(Stage.DECODE, "undecodable-record",
          e.getClass().getSimpleName() + ": " + e.getMessage()), key, value)));
      return;
    }
    if (!id.equals(definition.getId())) {
      context().forward(record.withValue(Outcome.rejected(new Rejection(Stage.COMPILE, "label-key-mismatch",
          "record key '" + id + "' differs from the label id '" + definition.getId() + "'"), key, value)));
      return;
    }
    long version = context().recordMetadata().map(m -> m.offset()).orElse(-1L);
    Outcome<LabelCentroids> outcome = compile(definition, version, key, value);
    if (!outcome.isRejected()) {
      definitions.put(id, new StoredDefinition(version, value).encode());
    }
    context().forward(record.withValue(outcome));
  }

  private Outcome<LabelCentroids> compile(LabelDefinition definition, long version, byte[] key, byte[] value) {
    String id = definition.getId();
    String hash = DefinitionHash.of(definition);
    String tag = tag(hash, labels.compiler().provider().space());
    long start = System.nanoTime();
    try {
      LabelCentroids centroids = labels.compiler().compile(definition, version);
      metrics.labelCompiled(System.nanoTime() - start, true);
      compiledHere.put(id, new Compiled(tag, centroids.getCompiledAt().toEpochMilli()));
      log.info("Label '{}' compiled: {} prototype(s) in {}/{}", id, centroids.getPrototypes().size(),
          centroids.getSpace().getProvider(), centroids.getSpace().getModel());
      return Outcome.accepted(centroids, key, value);
    } catch (InvalidLabelException e) {
      metrics.labelCompiled(System.nanoTime() - start, false);
      log.warn("Label '{}' not compiled, its last good centroids stay in use: {}", id, e.getMessage());
      labels.catalog().rejected(id, hash, e.getMessage());
      compiledHere.put(id, new Compiled(tag, Long.MAX_VALUE));
      return Outcome.rejected(new Rejection(Stage.COMPILE, e.reason(), e.getMessage()), key, value);
    }
  }

  /** Recompiles the labels whose centroids are missing, outdated or of another model space. */
  private void recompileOutdated(long now) {
    ModelSpace space = labels.compiler().provider().space();
    List<KeyValue<String, byte[]>> outdated = new ArrayList<>();
    try (var all = definitions.all()) {
      all.forEachRemaining(entry -> {
        byte[] value = StoredDefinition.decode(entry.value).value();
        String hash = DefinitionHash.of(deserializer.deserialize(topic, value));
        Optional<LabelCentroids> seen = labels.catalog().centroids(entry.key);
        boolean current = seen.filter(c -> c.getSpace().equals(space) && c.getDefinitionHash().equals(hash)).isPresent();
        Compiled here = compiledHere.get(entry.key);
        boolean pending = here != null && here.tag().equals(tag(hash, space))
            && seen.map(c -> c.getCompiledAt().toEpochMilli() <= here.compiledAt()).orElse(true);
        if (!current && !pending) {
          outdated.add(entry);
        }
      });
    }
    for (KeyValue<String, byte[]> entry : outdated) {
      StoredDefinition stored = StoredDefinition.decode(entry.value);
      long version = stored.version();
      byte[] value = stored.value();
      log.info("Recompiling label '{}' for {}/{}", entry.key, space.getProvider(), space.getModel());
      Outcome<LabelCentroids> outcome = compile(deserializer.deserialize(topic, value), version,
          entry.key.getBytes(StandardCharsets.UTF_8), value);
      context().forward(new Record<>(entry.key, outcome, now));
    }
  }

  private record Compiled(String tag, long compiledAt) {}

  private static String tag(String hash, ModelSpace space) {
    return hash + "@" + space;
  }
}
