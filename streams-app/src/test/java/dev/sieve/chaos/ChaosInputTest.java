package dev.sieve.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.MediaEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChaosInputTest {

  private static final Instant START = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  void theSameSeedGivesTheSameEventsInTheSameOrder() {
    assertThat(ChaosInput.generate(500, 0.2, 7, START)).isEqualTo(ChaosInput.generate(500, 0.2, 7, START));
    assertThat(ChaosInput.generate(500, 0.2, 8, START).events())
        .isNotEqualTo(ChaosInput.generate(500, 0.2, 7, START).events());
  }

  @Test
  void pairsArePlantedHalfExactHalfNearWithDistinctIdsAndEventsInOrder() {
    ChaosInput input = ChaosInput.generate(1_000, 0.2, 1, START);
    Map<String, MediaEvent> byId = input.events().stream()
        .collect(Collectors.toMap(MediaEvent::getId, Function.identity()));

    assertThat(input.events()).hasSize(1_000);
    assertThat(byId).hasSize(1_000);
    assertThat(input.events().get(3).getId()).isEqualTo("ev-0000003");
    assertThat(input.events().get(3).getOccurredAt()).isEqualTo(START.plusMillis(3));
    assertThat(input.plantedPairs()).hasSize(100);
    long exact = input.plantedPairs().stream().filter(p -> text(byId.get(p.a())).equals(text(byId.get(p.b())))).count();
    assertThat(exact).isEqualTo(50);
    for (ChaosInput.Pair pair : input.plantedPairs()) {
      Set<String> a = words(byId.get(pair.a()));
      Set<String> b = words(byId.get(pair.b()));
      Set<String> shared = new HashSet<>(a);
      shared.retainAll(b);
      assertThat(shared.size()).as("pair %s", pair).isGreaterThanOrEqualTo(a.size() - ChaosInput.EDITED_WORDS);
    }
  }

  @Test
  void aPairIsTheSameWhicheverWayRound() {
    assertThat(new ChaosInput.Pair("b", "a")).isEqualTo(new ChaosInput.Pair("a", "b"));
    assertThat(new ChaosInput.Pair("b", "a").a()).isEqualTo("a");
  }

  private static String text(MediaEvent event) {
    return event.getParts().get(0).getText();
  }

  private static Set<String> words(MediaEvent event) {
    return new HashSet<>(Arrays.asList(text(event).split(" ")));
  }
}
