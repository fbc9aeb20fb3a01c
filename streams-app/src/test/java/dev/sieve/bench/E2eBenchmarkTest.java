package dev.sieve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A tiny end-to-end run: every figure is there and sane. No timing is asserted. */
class E2eBenchmarkTest {

  @Test
  void aSmallRunEndsWithOneJsonLineHoldingEveryFigure() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    var options = new E2eBenchmark.Options(90, 100, 12, 5, 2, List.of(300), List.of(3), 3, 2, Map.of());

    new E2eBenchmark(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run(null);

    String[] lines = printed.toString(StandardCharsets.UTF_8).strip().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(json.path("bench").asText()).isEqualTo("e2e");
    for (String scenario : List.of("passthrough", "precomputed", "local")) {
      JsonNode run = json.path("scenarios").path(scenario);
      assertThat(run.path("complete").asBoolean()).as(scenario).isTrue();
      assertThat(run.path("rejected").asInt()).as(scenario).isZero();
      assertThat(run.path("eventsPerSec").asDouble()).as(scenario).isPositive();
      assertThat(run.path("p50Ms").asDouble()).as(scenario).isPositive()
          .isLessThanOrEqualTo(run.path("p99Ms").asDouble());
      assertThat(run.path("peakHeapBytes").asLong()).as(scenario).isPositive();
      assertThat(run.path("cpuMsPerEvent").asDouble()).as(scenario).isPositive();
    }
    assertThat(json.path("scenarios").path("precomputed").path("stateBytes").asLong()).isPositive();
    // one output record per event (plus transaction markers), and at least one per result topic
    assertThat(json.path("scenarios").path("passthrough").path("offsetsPerEvent").asDouble()).isGreaterThanOrEqualTo(1);
    assertThat(json.path("scenarios").path("precomputed").path("offsetsPerEvent").asDouble()).isGreaterThanOrEqualTo(4);
    assertThat(json.path("scenarios").path("modelAlone").path("eventsPerSec").asDouble()).isPositive();
    assertThat(json.path("precomputedToPassthrough").asDouble()).isPositive();
    assertThat(json.path("localToModelAlone").asDouble()).isPositive();
    // Events 99, 199, ... of the precomputed run (warm-up + 90 + 5 events) are near copies of
    // pre-filled items; the warm-up lasts rounds of 20 events until the JIT is quiet.
    int warmup = json.path("scenarios").path("precomputed").path("warmupEvents").asInt();
    assertThat(warmup).isBetween(20, 20 * PipelineRun.MAX_WARMUP_ROUNDS);
    int copies = 0;
    for (int i = 0; i < warmup + 90 + 5; i++) {
      copies += i % 100 == 99 ? 1 : 0;
    }
    assertThat(json.path("seededCopies").asInt()).isEqualTo(copies);
    assertThat(json.path("seededCopiesFound").asInt()).isEqualTo(copies);
    assertThat(json.path("indexSweep").findValuesAsText("indexItems")).containsExactly("300");
    assertThat(json.path("labelSweep").findValuesAsText("labels")).containsExactly("3");
    assertThat(json.path("scaling").path("instances").asInt()).isEqualTo(2);
    assertThat(json.path("scaling").path("moreEventsPerSec").asDouble()).isPositive();
  }
}
