package dev.sieve.dedup;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.Topic;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The de-duplication sub-topology: one {@link DuplicateFlag} per accepted event.
 *
 * <pre>
 * embedded ─► dedup-check ─┬─► rejections (returned, for the dead-letter topic)
 *                          └─► scatter: exact route (scope, content hash) + the vector's 2 cells
 *                                       + a text's 16 band buckets (LexicalBands),
 *                                       grouped by index partition: one ProbeGroup per partition
 *   ─► [dedup-index repartition, P partitions, IndexPartitioner]
 *   ─► index (exact store, cell store): a group's routes in order, one answer per group
 *   ─► [dedup-gather repartition by event id] ─► gather (waits for the event's groups) ─► media.duplicates
 * accepted ─► remember vector by event id (for similar-item queries, see IndexQueries)
 * </pre>
 *
 * A route's partition is the default partitioner's for its routing key ({@link Probe#partition}),
 * as when every route was a record of its own, so a cell lives in one task and stored state
 * ({@link IndexSeed}) stays valid. To group routes the scatter needs the partition count {@code P}
 * up front: it is {@link DedupSettings#partitions} ({@code sieve.topics.partitions}), the
 * {@code dedup-index} topic is created with it ({@link Repartitioned#withNumberOfPartitions}) and
 * {@link IndexPartitioner} sends each group to its partition and fails if the topic has another
 * count. (Multicasting one record per event to the partitions of its routes, KIP-837, would carry
 * the vector to every partition and still need {@code P} to know which routes a task owns.)
 *
 * <p>The scatter runs in the task that read the event, so two events of one input partition reach
 * every route in their input order.
 */
public final class DuplicateDetection {

  private DuplicateDetection() {}

  /**
   * Adds the sub-topology to the stream of accepted embedded events and returns the events it
   * rejects (stage {@code dedup}), which the caller dead-letters.
   */
  public static KStream<String, Outcome<Probe>> attach(
      KStream<String, Outcome<EmbeddedMedia>> embedded, DedupSettings settings, Topic<String, DuplicateFlag> duplicates,
      SieveMetrics metrics) {
    Map<String, KStream<String, Outcome<Probe>>> checked = embedded
        .processValues(() -> new DedupInputCheck(settings), Named.as("dedup-check"))
        .split(Named.as("dedup-"))
        .branch((id, outcome) -> outcome.isRejected(), Branched.as("rejected"))
        .defaultBranch(Branched.as("accepted"));

    checked.get("dedup-accepted")
        .process(supplier(() -> new EventVectorProcessor(settings), store(EventVectorProcessor.STORE)),
            Named.as("dedup-remember-vector"));
    checked.get("dedup-accepted")
        .flatMap((id, outcome) -> scatter(outcome.value(), settings.partitions()), Named.as("dedup-scatter"))
        .repartition(Repartitioned.with(Serdes.String(), DedupCodec.PROBE_GROUP).withName("dedup-index")
            .withNumberOfPartitions(settings.partitions())
            .withStreamPartitioner(new IndexPartitioner(settings.partitions())))
        .process(supplier(() -> new IndexProcessor(settings, metrics), store(IndexProcessor.EXACT_STORE),
            store(IndexProcessor.CELL_STORE)), Named.as("dedup-probe"))
        .repartition(Repartitioned.with(Serdes.String(), DedupCodec.ANSWER).withName("dedup-gather"))
        // An event's answers mostly arrive within one commit: with a record cache, its puts and
        // the final delete reach the changelog as one tombstone instead of one record per answer.
        .process(supplier(() -> new GatherProcessor(metrics), store(GatherProcessor.GATHER_STORE).withCachingEnabled()),
            Named.as("dedup-flag"))
        .to(duplicates.name(), duplicates.produced());

    return checked.get("dedup-rejected");
  }

  private static List<KeyValue<String, ProbeGroup>> scatter(Probe event, int partitions) {
    return ProbeGroup.scatter(event, partitions).stream().map(group -> KeyValue.pair(group.eventId(), group)).toList();
  }

  private static StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray());
  }

  private static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> supplier(
      java.util.function.Supplier<Processor<KIn, VIn, KOut, VOut>> processor, StoreBuilder<?>... stores) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<KIn, VIn, KOut, VOut> get() {
        return processor.get();
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(stores);
      }
    };
  }
}
