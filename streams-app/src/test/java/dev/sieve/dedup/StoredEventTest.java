package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One event's record in a task's cell store: extended in place, and purged by its items' timestamps. */
class StoredEventTest {

  private static final int[] SIGNATURE = {4, 5};
  private static final int[] BANDS = {8, 9};
  private static final QuantizedVector VECTOR = QuantizedVector.of(new float[] {0.6f, 0.8f});

  @Test
  void theSameItemStoredInMoreRoutesStaysOnePlacementWithEachRouteOnceAndItsVector() {
    IndexedItem inBands = text(9L, null);
    StoredEvent event = StoredEvent.of("s", "sp", inBands, new int[] {Probe.bandRoute(0)})
        .with(text(9L, VECTOR), new int[] {3, Probe.bandRoute(0), Probe.bandRoute(1)});

    assertThat(event.placements()).singleElement().satisfies(placement -> {
      assertThat(placement.routes()).as("cells, then bands by band").containsExactly(3, Probe.bandRoute(0),
          Probe.bandRoute(1));
      assertThat(placement.item().vector()).as("kept from the cell's item").isSameAs(VECTOR);
    });
    assertThat(event.copies()).isEqualTo(3);
    assertThat(event.key()).isEqualTo(StoredEvent.key("s", "sp", "e1"));
    // other band values (whose buckets the routes name) make another item
    IndexedItem otherBands = new IndexedItem("e1", 5L, 9L, "hash", new int[] {3, 7}, null, SIGNATURE, new int[] {8, 1});
    assertThat(event.with(otherBands, new int[] {Probe.bandRoute(1)}).placements()).hasSize(2);
  }

  @Test
  void anotherItemUnderTheSameIdIsAPlacementOfItsOwnAndLeavesWithItsOwnTimestamp() {
    StoredEvent event = StoredEvent.of("s", "sp", text(9L, VECTOR), new int[] {3})
        .with(text(20L, VECTOR), new int[] {7});

    assertThat(event.placements()).extracting(p -> p.item().timestamp()).containsExactly(9L, 20L);
    assertThat(event.keptFrom(9L)).isSameAs(event);
    StoredEvent later = event.keptFrom(10L);
    assertThat(later.placements()).singleElement().satisfies(placement -> {
      assertThat(placement.item().timestamp()).isEqualTo(20L);
      assertThat(placement.routes()).containsExactly(7);
    });
    assertThat(event.keptFrom(21L)).isNull();
  }

  private static IndexedItem text(long timestamp, QuantizedVector vector) {
    return new IndexedItem("e1", 5L, timestamp, "hash", new int[] {3, 7}, vector, SIGNATURE, BANDS);
  }
}
