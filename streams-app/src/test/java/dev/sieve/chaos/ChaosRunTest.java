package dev.sieve.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The chaos run at small scale: {@code sieve run} in a child JVM is killed twice, the broker
 * restarted, the provider throttled and unreachable, and still every event has one record on each
 * result topic and the same duplicate pairs are flagged as without faults. Takes minutes, so it
 * runs only with {@code -Pchaos}.
 */
@Tag("chaos")
class ChaosRunTest {

  @Test
  void killsABrokerRestartAndAProviderOutageLoseDoubleAndMismatchNothing() throws Exception {
    var options = new ChaosBenchmark.Options(1_500, 0.2, 3, 2, 1, Duration.ofSeconds(5), Duration.ofSeconds(5), 3,
        128, Duration.ofMinutes(10), "512m", Map.of(), false);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    Map<String, Object> figures = new ChaosBenchmark(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

    String report = printed.toString(StandardCharsets.UTF_8);
    assertThat(figures).as(report).containsEntry("passed", true).containsEntry("lost", 0L)
        .containsEntry("doubled", 0L).containsEntry("mismatchedFlags", 0L).containsEntry("plantedPairs", 150);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> faults = (List<Map<String, Object>>) figures.get("faults");
    assertThat(faults).extracting(f -> f.get("fault")).as(report)
        .containsExactlyInAnyOrder("KILL", "KILL", "BROKER_RESTART", "THROTTLE", "UNREACHABLE");
    assertThat(faults).as(report).allSatisfy(f -> assertThat(f.get("recoverySeconds")).isNotNull());
  }
}
