package dev.sieve.embed.stage;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.ModelSpace;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.EventEmbedder.EmbedTotals;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.topology.Outcome;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The embed stage: turns accepted events into {@link EmbeddedMedia} (or embed-stage rejections)
 * with a remote or local provider, many records per call and several calls at once, without
 * giving up exactly-once. Add it to a topology with {@code stream.process(stage, ...)}; its two
 * changelogged stores come with it.
 *
 * <ul>
 *   <li>{@value #PENDING_STORE}: sequence number → {@link PendingRecord}, every record taken and
 *       not yet forwarded;
 *   <li>{@value #CACHE_STORE}: content hash (within the model space) → vector, bounded.
 * </ul>
 *
 * One instance serves every task of a Kafka Streams instance and owns the worker pool, so the
 * in-flight bound holds across tasks. Close it after Kafka Streams.
 */
public final class EmbedStage
    implements ProcessorSupplier<String, Outcome<MediaEvent>, String, Outcome<EmbeddedMedia>>, AutoCloseable {

  public static final String PENDING_STORE = "embed-pending";
  public static final String CACHE_STORE = "embed-cache";

  private final EmbeddingProvider provider;
  private final ModelSpace space;
  private final EmbedStageSettings settings;
  private final Deserializer<MediaEvent> decoder;
  private final SourceReader.Factory sourceReaders;
  private final Function<String, KeyValueBytesStoreSupplier> storeSuppliers;
  private final CacheStatistics cacheStatistics = new CacheStatistics();
  private final EmbedWorkers workers;

  /**
   * @param decoder decodes input values again after a restore (pending values are stored as the
   *     original bytes)
   * @param sourceReaders re-reads values stored by reference after a restore
   */
  public EmbedStage(EmbeddingProvider provider, EmbedStageSettings settings, Deserializer<MediaEvent> decoder,
      SourceReader.Factory sourceReaders) {
    this(provider, settings, decoder, sourceReaders, SieveMetrics.disabled());
  }

  /** @param metrics records the provider calls: latency, batch sizes, calls in flight */
  public EmbedStage(EmbeddingProvider provider, EmbedStageSettings settings, Deserializer<MediaEvent> decoder,
      SourceReader.Factory sourceReaders, SieveMetrics metrics) {
    this(provider, settings, decoder, sourceReaders, Stores::persistentKeyValueStore, metrics);
  }

  /** With other stores than RocksDB, e.g. to keep state across test drivers. */
  EmbedStage(EmbeddingProvider provider, EmbedStageSettings settings, Deserializer<MediaEvent> decoder,
      SourceReader.Factory sourceReaders, Function<String, KeyValueBytesStoreSupplier> storeSuppliers) {
    this(provider, settings, decoder, sourceReaders, storeSuppliers, SieveMetrics.disabled());
  }

  private EmbedStage(EmbeddingProvider provider, EmbedStageSettings settings, Deserializer<MediaEvent> decoder,
      SourceReader.Factory sourceReaders, Function<String, KeyValueBytesStoreSupplier> storeSuppliers,
      SieveMetrics metrics) {
    this.provider = provider;
    this.space = provider.space();
    this.settings = settings;
    this.decoder = decoder;
    this.sourceReaders = sourceReaders;
    this.storeSuppliers = storeSuppliers;
    this.workers = new EmbedWorkers(provider, settings, metrics);
  }

  @Override
  public Processor<String, Outcome<MediaEvent>, String, Outcome<EmbeddedMedia>> get() {
    return new EmbedStageProcessor(this);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    // Changelogged (the default); no record cache, so deletes reach the changelog in the same
    // transaction as the output they go with.
    return Set.of(
        Stores.keyValueStoreBuilder(storeSuppliers.apply(PENDING_STORE), Serdes.Long(), PendingRecord.serde()),
        Stores.keyValueStoreBuilder(storeSuppliers.apply(CACHE_STORE), Serdes.String(), Serdes.ByteArray()));
  }

  /** Cache hits and misses of all tasks so far. */
  public CacheStatistics cacheStatistics() {
    return cacheStatistics;
  }

  /** Contents embedded by the model so far and the time the model took. */
  public EmbedTotals totals() {
    return workers.totals();
  }

  /** Stops the workers; call after Kafka Streams has stopped. Does not close the provider. */
  @Override
  public void close() {
    workers.close();
  }

  EmbeddingProvider provider() {
    return provider;
  }

  ModelSpace space() {
    return space;
  }

  EmbedStageSettings settings() {
    return settings;
  }

  Deserializer<MediaEvent> decoder() {
    return decoder;
  }

  SourceReader.Factory sourceReaders() {
    return sourceReaders;
  }

  EmbedWorkers workers() {
    return workers;
  }
}
