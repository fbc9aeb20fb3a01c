package dev.sieve.topology;

import dev.sieve.avro.LabelCentroids;
import dev.sieve.labels.CentroidCatalog;
import dev.sieve.serde.SchemaRegistryUnavailableException;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global store of compiled labels (every instance reads every partition of the centroids
 * topic) and the instance's {@link CentroidCatalog} in step with it. Centroids the catalog refuses
 * are logged and not stored, so the label's last good centroids stay in use.
 */
final class CentroidStoreProcessor extends ContextualProcessor<String, byte[], Void, Void> {

  static final String STORE = "label-centroids";

  private static final Logger log = LoggerFactory.getLogger(CentroidStoreProcessor.class);

  private final Deserializer<LabelCentroids> deserializer;
  private final String topic;
  private final CentroidCatalog catalog;
  private KeyValueStore<String, byte[]> store;

  CentroidStoreProcessor(Deserializer<LabelCentroids> deserializer, String topic, CentroidCatalog catalog) {
    this.deserializer = deserializer;
    this.topic = topic;
    this.catalog = catalog;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    super.init(context);
    store = context.getStateStore(STORE);
    // A restored store may have been filled without passing through process().
    try (var all = store.all()) {
      all.forEachRemaining(entry -> decode(entry.key, entry.value).ifPresent(c -> catalog.apply(entry.key, c)));
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String id = record.key();
    if (id == null) {
      log.warn("Ignoring a centroids record without key on {}", topic);
      return;
    }
    if (record.value() == null) {
      store.delete(id);
      catalog.apply(id, null);
      return;
    }
    Optional<LabelCentroids> centroids = decode(id, record.value());
    if (centroids.isEmpty()) {
      return;
    }
    Optional<String> problem = catalog.apply(id, centroids.get());
    if (problem.isPresent()) {
      log.warn("Refused {}; the label keeps its last good centroids", problem.get());
      return;
    }
    store.put(id, record.value());
  }

  private Optional<LabelCentroids> decode(String id, byte[] value) {
    try {
      return Optional.of(deserializer.deserialize(topic, value));
    } catch (SchemaRegistryUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      log.warn("Ignoring undecodable centroids of label '{}' on {}: {}", id, topic, e.toString());
      return Optional.empty();
    }
  }
}
