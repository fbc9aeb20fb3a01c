package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The nearest stored events of one instance's cell store, read from stored events and from copies of format 2. */
class IndexQueriesTest {

  private static final String SPACE = "test/m/3/";

  @Test
  void eachStoredEventIsAnsweredOnceWhetherOneRecordOrCopiesNotYetConverted() {
    KeyValueStore<String, byte[]> cells = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("cells"),
        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
    cells.init(new MockProcessorContext<>().getStateStoreContext(), cells);
    int[] signature = dev.sieve.embed.LexicalSignature.of("a short text about the weather");
    int[] bands = LexicalBands.of(signature);
    // "record": one record with both cells; "copies": two copies of format 2, one per cell
    store(cells, StoredEvent.of("scope", SPACE, item("record", 1f, 0f, 0f), new int[] {1, 2}));
    StoredEvent copies = StoredEvent.of("scope", SPACE, item("copies", 0.8f, 0.6f, 0f), new int[] {1, 2});
    FormatTwoCopies.of(copies).forEach(cells::put);
    // a text stored in band buckets only (no vector here), another scope, another space
    store(cells, StoredEvent.of("scope", SPACE, new IndexedItem("bands-only", 0, 0, "h", new int[] {5, 6}, null,
        LexicalBands.stored(signature), bands), new int[] {Probe.bandRoute(0), Probe.bandRoute(1)}));
    store(cells, StoredEvent.of("other", SPACE, item("other-scope", 1f, 0f, 0f), new int[] {1}));
    store(cells, StoredEvent.of("scope", "test/m/4/", item("other-space", 1f, 0f, 0f), new int[] {1}));

    var nearest = IndexQueries.nearest(cells, "scope", SPACE, new float[] {1f, 0f, 0f}, 5);

    assertThat(nearest).extracting(IndexQueries.Similar::eventId).containsExactly("record", "copies");
    assertThat(nearest.get(1).similarity()).isCloseTo(0.8f, org.assertj.core.data.Offset.offset(0.01f));
    assertThat(IndexQueries.nearest(cells, "scope", SPACE, new float[] {1f, 0f, 0f}, 1))
        .extracting(IndexQueries.Similar::eventId).containsExactly("record");
  }

  private static void store(KeyValueStore<String, byte[]> cells, StoredEvent event) {
    cells.put(event.key(), DedupCodec.storedEvent(event));
  }

  private static IndexedItem item(String id, float... vector) {
    return new IndexedItem(id, 0, 0, "h-" + id, new int[] {1, 2}, QuantizedVector.of(vector));
  }
}
