package dev.sieve.dedup;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.Topic;
import java.util.ArrayList;
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
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The de-duplication sub-topology: one {@link DuplicateFlag} per accepted event.
 *
 * <pre>
 * embedded ─► dedup-check ─┬─► rejections (returned, for the dead-letter topic)
 *                          └─► scatter: exact route (scope, content hash) + the vector's 2 cells
 *                                       + a text's 16 band buckets (LexicalBands)
 *   ─► [dedup-index repartition] ─► index (exact store, cell store)   one answer per route
 *   ─► [dedup-gather repartition by event id] ─► gather ─► media.duplicates
 * accepted ─► remember vector by event id (for similar-item queries, see IndexQueries)
 * </pre>
 *
 * The scatter runs in the task that read the event, so two events of one input partition reach
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
        .flatMap((id, outcome) -> scatter(outcome.value()), Named.as("dedup-scatter"))
        .repartition(Repartitioned.with(Serdes.String(), DedupCodec.PROBE).withName("dedup-index"))
        .process(supplier(() -> new IndexProcessor(settings, metrics), store(IndexProcessor.EXACT_STORE),
            store(IndexProcessor.CELL_STORE)), Named.as("dedup-probe"))
        .repartition(Repartitioned.with(Serdes.String(), DedupCodec.ANSWER).withName("dedup-gather"))
        .process(supplier(() -> new GatherProcessor(metrics), store(GatherProcessor.GATHER_STORE)), Named.as("dedup-flag"))
        .to(duplicates.name(), duplicates.produced());

    return checked.get("dedup-rejected");
  }

  private static List<KeyValue<String, Probe>> scatter(Probe probe) {
    List<KeyValue<String, Probe>> routes = new ArrayList<>(probe.answers());
    Probe exact = probe.toRoute(Probe.EXACT_ROUTE);
    routes.add(KeyValue.pair(exact.routingKey(), exact));
    for (int cell : probe.cells()) {
      Probe routed = probe.toRoute(cell);
      routes.add(KeyValue.pair(routed.routingKey(), routed));
    }
    for (int band = 0; band < probe.bands().length; band++) {
      Probe routed = probe.toRoute(Probe.bandRoute(band));
      routes.add(KeyValue.pair(routed.routingKey(), routed));
    }
    return routes;
  }

  private static StoreBuilder<?> store(String name) {
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
