package dev.sieve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.testing.BuildDirTempDirFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkDocsTest {

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path dir;

  private static Map<String, Object> figures(double passthrough) {
    Map<String, Object> scenario = Map.of("eventsPerSec", passthrough, "p50Ms", 12.5, "p99Ms", 40.0,
        "peakHeapBytes", 100L << 20, "stateBytes", 3L << 20, "events", 1000, "cpuMsPerEvent", 0.5);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("cores", 2);
    figures.put("java", "17");
    figures.put("maxHeapBytes", 1L << 30);
    figures.put("partitions", 4);
    figures.put("labels", 100);
    figures.put("indexItems", 1_000_000);
    figures.put("dimensions", 384);
    figures.put("scenarios", Map.of("passthrough", scenario, "precomputed", scenario, "local", scenario,
        "modelAlone", Map.of("eventsPerSec", 400.0, "p50Ms", 30.0, "p99Ms", 60.0, "events", 1000, "stateBytes", 0,
            "cpuMsPerEvent", 5.0)));
    figures.put("precomputedToPassthrough", 0.25);
    figures.put("localToModelAlone", 0.5);
    figures.put("modelCpuShareOfLocal", 0.6);
    figures.put("seededCopiesFound", 10);
    figures.put("seededCopies", 10);
    Map<String, Object> row = Map.of("eventsPerSec", 100.0, "microsPerEvent", 10_000.0, "p50Ms", 1.0, "p99Ms", 2.0,
        "stateBytes", 1L << 20);
    figures.put("indexSweep", List.of(with(row, "indexItems", 10_000), with(row, "indexItems", 100_000)));
    figures.put("labelSweep", List.of(with(row, "labels", 10)));
    figures.put("scaling", Map.of("instances", 2, "oneEventsPerSec", 100.0, "moreEventsPerSec", 150.0, "ratio", 1.5));
    return figures;
  }

  private static Map<String, Object> with(Map<String, Object> row, String key, int value) {
    Map<String, Object> copy = new LinkedHashMap<>(row);
    copy.put(key, value);
    return copy;
  }

  @Test
  void theTablesReplaceOnlyTheGeneratedBlockAndTheChartsAreWrittenBesideThePage() throws Exception {
    Path page = dir.resolve("benchmarks.md");
    Files.writeString(page, "# Benchmarks\n\nIntro by hand.\n\n" + BenchmarkDocs.BEGIN + "\nold\n" + BenchmarkDocs.END
        + "\n\n## Quality\n\nWritten by hand.\n");

    new BenchmarkDocs(page).writeE2e(figures(12_345));
    new BenchmarkDocs(page).writeE2e(figures(23_456));

    String text = Files.readString(page);
    assertThat(text).startsWith("# Benchmarks\n\nIntro by hand.\n\n" + BenchmarkDocs.BEGIN)
        .endsWith(BenchmarkDocs.END + "\n\n## Quality\n\nWritten by hand.\n")
        .contains("| (1) passthrough, exactly_once_v2 | 1,000 | 23,456 |")
        .doesNotContain("old").doesNotContain("12,345");
    assertThat(text.split(BenchmarkDocs.BEGIN, -1)).hasSize(2);
    assertThat(dir.resolve("charts")).isDirectoryContaining(p -> p.getFileName().toString().equals("e2e-throughput.svg"))
        .isDirectoryContaining(p -> p.getFileName().toString().equals("e2e-index-size.svg"))
        .isDirectoryContaining(p -> p.getFileName().toString().equals("e2e-labels.svg"));
    assertThat(Files.readString(dir.resolve("charts/e2e-throughput.svg"))).contains("23,456 events/s");
  }

  @Test
  void aPageWithoutTheBlockGetsItAppended() throws Exception {
    Path page = dir.resolve("new.md");
    Files.writeString(page, "# Mine");

    new BenchmarkDocs(page).writeE2e(figures(1_000));

    assertThat(Files.readString(page)).startsWith("# Mine\n" + BenchmarkDocs.BEGIN).endsWith(BenchmarkDocs.END + "\n");
  }
}
