package dev.sieve.dedup;

import dev.sieve.avro.MediaPart;
import dev.sieve.embed.EmbeddingProvider;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cosine, with a real model, of edited copies of short messages (a word dropped, two words
 * swapped, a signature appended) against different messages on the same topic and unrelated
 * messages. The near-duplicate threshold's default comes from these figures.
 */
public final class TextPairMeasurement {

  /** Messages grouped by topic: same-topic pairs are different messages about one thing. */
  private static final String[][] TOPICS = {
      {"The striker scored twice in the second half and the home side won the derby.",
          "Fans invaded the pitch after the final whistle of the cup match last night.",
          "The coach was sacked after the team lost five league games in a row."},
      {"Claim your free prize now by clicking the link before the offer expires tonight.",
          "You have been selected for a cash reward, reply with your bank details to receive it.",
          "Cheap watches and designer bags at ninety percent off, order today."},
      {"The central bank raised interest rates by a quarter point to fight inflation.",
          "Shares fell sharply after the company reported lower quarterly profits.",
          "The government announced new taxes on fuel to balance the budget."},
      {"Heavy rain flooded several streets in the old town on Tuesday morning.",
          "A heatwave is expected to bring record temperatures across the south this weekend.",
          "Strong winds knocked down trees and cut power to thousands of homes."},
      {"Our new phone has a larger screen, a faster chip and a battery that lasts two days.",
          "The update fixes a bug that drained the battery when the screen was off.",
          "Reviewers praised the laptop's keyboard but criticised its loud fan."},
  };

  private final EmbeddingProvider provider;

  public TextPairMeasurement(EmbeddingProvider provider) {
    this.provider = provider;
  }

  /** Prints min/median/max cosine per kind of pair and returns them. */
  public Map<String, Object> run(PrintStream out) {
    Map<String, List<Double>> byKind = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    for (String[] topic : TOPICS) {
      all.addAll(Arrays.asList(topic));
    }
    for (String message : all) {
      float[] original = embed(message);
      String[] words = message.split(" ");
      add(byKind, "edit: word dropped", original, String.join(" ", without(words, words.length / 2)));
      add(byKind, "edit: two words swapped", original, String.join(" ", swapped(words, words.length / 2)));
      add(byKind, "edit: signature appended", original, message + " -- Sent from my phone");
    }
    for (String[] topic : TOPICS) {
      for (int i = 0; i < topic.length; i++) {
        for (int j = i + 1; j < topic.length; j++) {
          add(byKind, "different message, same topic", embed(topic[i]), topic[j]);
        }
      }
    }
    for (int t = 0; t < TOPICS.length; t++) {
      add(byKind, "unrelated", embed(TOPICS[t][0]), TOPICS[(t + 1) % TOPICS.length][1]);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    out.printf(Locale.ROOT, "Text pairs embedded with %s/%s:%n", provider.space().getProvider(), provider.space().getModel());
    byKind.forEach((kind, values) -> {
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double min = sorted[0];
      double median = sorted[sorted.length / 2];
      double max = sorted[sorted.length - 1];
      out.printf(Locale.ROOT, "  %-32s n=%2d  min %.3f  median %.3f  max %.3f%n", kind, sorted.length, min, median, max);
      json.put(kind, Map.of("n", sorted.length, "min", round(min), "median", round(median), "max", round(max)));
    });
    return json;
  }

  private void add(Map<String, List<Double>> byKind, String kind, float[] a, String other) {
    float[] b = embed(other);
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(dot);
  }

  private float[] embed(String text) {
    var input = provider.prepare(List.of(MediaPart.newBuilder().setText(text).build()), Map.of());
    return provider.embed(List.of(input)).get(0).vector();
  }

  private static String[] without(String[] words, int index) {
    List<String> list = new ArrayList<>(Arrays.asList(words));
    list.remove(index);
    return list.toArray(String[]::new);
  }

  private static String[] swapped(String[] words, int index) {
    String[] copy = words.clone();
    copy[index] = words[index + 1];
    copy[index + 1] = words[index];
    return copy;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
