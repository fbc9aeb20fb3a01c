package dev.sieve.demo;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.ModerationHit;
import dev.sieve.avro.ModerationResult;
import dev.sieve.embed.EventEmbedder.EmbedTotals;
import dev.sieve.topology.SieveTopics;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The demo's summary: one row per event, counts per topic, and timings. */
final class DemoReport {

  /**
   * @param started when the demo started
   * @param firstProduced when the first event was sent
   * @param finished when the last result arrived (or the wait ended)
   * @param embed model time spent by the embed stage
   */
  record Timing(long started, long firstProduced, long finished, EmbedTotals embed) {}

  private static final int DETAIL_WIDTH = 78;

  private final PrintStream out;
  private final SieveTopics topics;

  DemoReport(PrintStream out, SieveTopics topics) {
    this.out = out;
    this.topics = topics;
  }

  void print(List<DemoRecord> records, List<DemoResult> results, Timing timing) {
    Map<String, List<DemoResult>> byKey = new HashMap<>();
    results.forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));

    int idWidth = Math.max(5, records.stream().mapToInt(r -> r.id().length()).max().orElse(5));
    List<String> resultTopics = List.of(topics.embeddings().name(), topics.categories().name(),
        topics.moderation().name(), topics.duplicates().name(), topics.deadLetters().name());
    int topicWidth = resultTopics.stream().mapToInt(String::length).max().orElse(5);
    String row = "%-" + idWidth + "s  %-" + topicWidth + "s  %s%n";
    out.println();
    out.printf(row, "EVENT", "TOPIC", "RESULT");
    for (DemoRecord record : records) {
      List<DemoResult> forRecord = new ArrayList<>(byKey.getOrDefault(record.id(), List.of()));
      forRecord.sort(java.util.Comparator.comparingInt(r -> resultTopics.indexOf(r.topic())));
      if (forRecord.isEmpty()) {
        out.printf(row, record.id(), "-", "no result yet");
      }
      for (DemoResult result : forRecord) {
        out.printf(row, record.id(), result.topic(), clip(detail(result)));
      }
    }

    Map<String, Integer> counts = new TreeMap<>();
    resultTopics.forEach(topic -> counts.put(topic, 0));
    results.forEach(r -> counts.merge(r.topic(), 1, Integer::sum));
    out.println();
    out.println("Records per topic:");
    String count = "  %-" + (Math.max(topicWidth, topics.events().name().length() + 5) + 1) + "s %d%n";
    out.printf(count, topics.events().name() + " (in)", records.size());
    counts.forEach((topic, n) -> out.printf(count, topic, n));

    long firstResult = results.stream().mapToLong(DemoResult::receivedNanos).min().orElse(timing.finished());
    long lastResult = results.stream().mapToLong(DemoResult::receivedNanos).max().orElse(timing.finished());
    long events = results.stream().map(DemoResult::key).distinct().count();
    double endToEnd = results.isEmpty() ? 0 : events * 1e9 / Math.max(1, lastResult - timing.firstProduced());
    out.println();
    out.printf("Wall time %s; first result %s after the first event was sent.%n",
        DemoRun.seconds(timing.finished() - timing.started()),
        String.format("%.0f ms", (firstResult - timing.firstProduced()) / 1e6));
    out.printf("Throughput: %.0f events/s end to end (send → committed result), "
            + "%.0f events/s in the embed stage alone (%d events, model time only).%n",
        endToEnd, timing.embed().eventsPerSecond(), timing.embed().events());
  }

  private static String detail(DemoResult result) {
    if (result.value() instanceof CategoryResult c) {
      if (c.getReason() != null && c.getClosest() == null) {
        return "unknown (" + c.getReason() + ")";
      }
      String runnerUp = c.getRunnerUp() == null ? "" : String.format(", runner-up %s %.2f", c.getRunnerUp(), c.getRunnerUpScore());
      return c.getClosest() != null
          ? String.format("unknown (closest %s %.2f < %.2f%s)", c.getClosest(), c.getScore(), c.getThreshold(), runnerUp)
          : String.format("%s %.2f%s", c.getLabel(), c.getScore(), runnerUp);
    }
    if (result.value() instanceof ModerationResult m) {
      if (m.getReason() != null) {
        return m.getVerdict() + " (" + m.getReason() + ")";
      }
      StringBuilder text = new StringBuilder(m.getVerdict().toString());
      for (ModerationHit hit : m.getHits()) {
        text.append(String.format(" %s %.2f≥%.2f", hit.getLabel(), hit.getScore(), hit.getThreshold()))
            .append(hit.getNearestExample() == null ? "" : " (like " + hit.getNearestExample() + ")");
      }
      return text.toString();
    }
    if (result.value() instanceof DuplicateFlag d) {
      return d.getIsDuplicate()
          ? String.format("%s duplicate of %s (%.2f)", d.getKind(), d.getDuplicateOf(), d.getSimilarity())
          : "not a duplicate";
    }
    if (result.value() instanceof EmbeddedMedia e) {
      String hash = e.getContentHash();
      return String.format("%d-d %s/%s, content %s%s", e.getVector().size(), e.getSpace().getProvider(),
          e.getSpace().getModel(), hash.substring(0, Math.min(12, hash.length())),
          e.getTruncated() ? ", truncated" : "");
    }
    DemoResult.DeadLetter dead = result.deadLetter();
    return dead.stage() + "/" + dead.reason() + ": " + dead.message();
  }

  private static String clip(String text) {
    String oneLine = text.replace('\n', ' ');
    return oneLine.length() <= DETAIL_WIDTH ? oneLine : oneLine.substring(0, DETAIL_WIDTH - 1) + "…";
  }
}
