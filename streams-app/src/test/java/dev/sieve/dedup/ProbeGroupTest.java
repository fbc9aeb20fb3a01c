package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.embed.LexicalSignature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The scatter: an event's routes grouped by the index partition that owns each. */
class ProbeGroupTest {

  private static final int PARTITIONS = 4;

  private final Vectors vectors = new Vectors(17, 64);
  private final Texts texts = new Texts(17);

  @Test
  void aTextBecomesOneGroupPerDistinctPartitionOfItsNineteenRoutes() {
    for (int i = 0; i < 50; i++) {
      Probe event = text("t" + i);
      int[] routes = event.routes();
      assertThat(routes).hasSize(19);
      TreeSet<Integer> partitions = new TreeSet<>();
      for (int route : routes) {
        partitions.add(event.toRoute(route).partition(PARTITIONS));
      }

      List<ProbeGroup> groups = ProbeGroup.scatter(event, PARTITIONS);

      assertThat(groups).extracting(ProbeGroup::partition).containsExactlyElementsOf(partitions);
      assertThat(groups).allSatisfy(g -> assertThat(g.groups()).isEqualTo(partitions.size()));
      List<Integer> scattered = new ArrayList<>();
      for (ProbeGroup group : groups) {
        for (int route : group.routes()) {
          assertThat(event.toRoute(route).partition(PARTITIONS)).as("route %d", route).isEqualTo(group.partition());
          scattered.add(route);
        }
      }
      // Every route exactly once; within a group in the order exact, cells, bands.
      assertThat(scattered).containsExactlyInAnyOrderElementsOf(Arrays.stream(routes).boxed().toList());
      assertThat(groups).allSatisfy(g ->
          assertThat(Arrays.stream(g.routes()).map(ProbeGroupTest::order).toArray()).isSorted());
    }
  }

  @Test
  void theVectorTravelsOnlyInGroupsWithACellRoute() {
    int exactAlone = 0;
    for (int i = 0; i < 200; i++) {
      Probe event = text("v" + i);
      for (ProbeGroup group : ProbeGroup.scatter(event, PARTITIONS)) {
        boolean cell = Arrays.stream(group.routes()).anyMatch(route -> route >= 0);
        if (cell) {
          assertThat(group.vector()).isSameAs(event.vector());
          assertThat(group.probe(group.routes()[0]).vector()).isEqualTo(
              group.routes()[0] >= 0 ? event.vector() : new float[0]);
        } else {
          assertThat(group.vector()).isEmpty();
          exactAlone += group.routes()[0] == Probe.EXACT_ROUTE ? 1 : 0;
        }
      }
    }
    assertThat(exactAlone).as("events whose exact route shares its partition with bands only").isPositive();
  }

  @Test
  void onOnePartitionAnEventIsOneGroupOfAllItsRoutesInOrder() {
    Probe event = text("one");
    List<ProbeGroup> groups = ProbeGroup.scatter(event, 1);
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0).routes()).containsExactly(event.routes());
    assertThat(groups.get(0).routes()[0]).isEqualTo(Probe.EXACT_ROUTE);
    assertThat(groups.get(0).groups()).isEqualTo(1);
    assertThat(groups.get(0).partition()).isZero();
  }

  @Test
  void aNonTextHasTheExactRouteAndItsTwoCells() {
    float[] vector = vectors.random();
    Probe event = new Probe("image", "", "space", 0L, "hash-image", vector, new int[] {2, 0}, new int[0],
        new int[0], Probe.EXACT_ROUTE);
    assertThat(event.routes()).containsExactly(Probe.EXACT_ROUTE, 2, 0);
    List<ProbeGroup> groups = ProbeGroup.scatter(event, PARTITIONS);
    assertThat(groups.stream().mapToInt(g -> g.routes().length).sum()).isEqualTo(3);
    assertThat(groups).hasSizeBetween(1, 3);
  }

  /** The position of a route's kind in {@link Probe#routes}: exact, cells, then bands by index. */
  private static int order(int route) {
    return route == Probe.EXACT_ROUTE ? -1 : route >= 0 ? 0 : 1 + (Probe.EXACT_ROUTE - 1 - route);
  }

  private Probe text(String id) {
    int[] signature = LexicalSignature.of(texts.message(30));
    return new Probe(id, "tenant", "space", 0L, "hash-" + id, vectors.random(), new int[] {1, 3},
        LexicalBands.stored(signature), LexicalBands.of(signature), Probe.EXACT_ROUTE);
  }
}
