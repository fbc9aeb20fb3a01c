package dev.sieve.dedup;

import dev.sieve.avro.MediaPart;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.LexicalSignature;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Both signals on short messages, with a real model: cosine and Jaccard (MinHash estimate and
 * exact) of edited copies (a word dropped, two words swapped, a signature appended) against
 * different messages on the same topic (including pairs written from one template, which share
 * words) and unrelated messages; then how many pairs of each kind cosine alone and the
 * {@link LexicalRule} call near duplicates. The thresholds' defaults come from these figures.
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

  /** Different messages on one topic, written from one template: the hard case for cosine. */
  private static final String[][] CLOSE_PAIRS = {
      {"Your order has shipped and will arrive on Monday.",
          "Your order has been cancelled and your card will be refunded."},
      {"The meeting is moved to 3pm tomorrow in room four.",
          "The meeting is cancelled tomorrow, we will find a new date next week."},
      {"What a goal by the striker in the last minute of the game!",
          "What a save by the keeper in the last minute of the game!"},
      {"The train to London is delayed by twenty minutes.",
          "The train to London is cancelled because of a signal failure."},
      {"I love this phone, the battery lasts all week.",
          "I hate this phone, the battery is dead by lunchtime."},
      {"Your password was changed successfully.",
          "Your password will expire in three days."},
      {"Flights to Paris are cheaper this spring.",
          "Hotels in Paris are fully booked this spring."},
      {"The council approved the new bridge over the river.",
          "The council rejected the plan to close the river path."},
  };

  private static final String SIGNATURE = " -- Sent from my phone";
  private static final String SAME_TOPIC = "different message, same topic";

  private final EmbeddingProvider provider;

  public TextPairMeasurement(EmbeddingProvider provider) {
    this.provider = provider;
  }

  private record Pair(String kind, float cosine, float jaccard, double exactJaccard) {}

  /**
   * Prints min/median/max cosine and Jaccard per kind of pair and the pairs each rule calls near
   * duplicates at {@code threshold} and {@code rule}; returns the figures.
   */
  public Map<String, Object> run(PrintStream out, double threshold, LexicalRule rule) {
    List<Pair> pairs = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (String[] topic : TOPICS) {
      all.addAll(Arrays.asList(topic));
    }
    for (String message : all) {
      String[] words = message.split(" ");
      pairs.add(pair("edit: word dropped", message, String.join(" ", without(words, words.length / 2))));
      pairs.add(pair("edit: two words swapped", message, String.join(" ", swapped(words, words.length / 2))));
      pairs.add(pair("edit: signature appended", message, message + SIGNATURE));
    }
    for (String[] topic : TOPICS) {
      for (int i = 0; i < topic.length; i++) {
        for (int j = i + 1; j < topic.length; j++) {
          pairs.add(pair(SAME_TOPIC, topic[i], topic[j]));
        }
      }
    }
    for (String[] close : CLOSE_PAIRS) {
      pairs.add(pair(SAME_TOPIC, close[0], close[1]));
    }
    for (int t = 0; t < TOPICS.length; t++) {
      pairs.add(pair("unrelated", TOPICS[t][0], TOPICS[(t + 1) % TOPICS.length][1]));
    }

    Map<String, List<Pair>> byKind = new LinkedHashMap<>();
    pairs.forEach(p -> byKind.computeIfAbsent(p.kind(), k -> new ArrayList<>()).add(p));
    Map<String, Object> json = new LinkedHashMap<>();
    out.printf(Locale.ROOT, "Text pairs embedded with %s/%s; Jaccard of word %d-shingles, MinHash of %d values:%n",
        provider.space().getProvider(), provider.space().getModel(), LexicalSignature.SHINGLE_WORDS,
        LexicalSignature.LENGTH);
    double maxEstimateError = 0;
    for (Pair p : pairs) {
      maxEstimateError = Math.max(maxEstimateError, Math.abs(p.jaccard() - p.exactJaccard()));
    }
    byKind.forEach((kind, list) -> {
      double[] cosine = sorted(list.stream().mapToDouble(Pair::cosine).toArray());
      double[] jaccard = sorted(list.stream().mapToDouble(Pair::jaccard).toArray());
      long byCosine = list.stream().filter(p -> p.cosine() >= threshold).count();
      long byRule = list.stream().filter(p -> rule.nearTexts(p.cosine(), threshold, p.jaccard())).count();
      out.printf(Locale.ROOT, "  %-30s n=%2d  cosine min %.3f median %.3f max %.3f | Jaccard min %.3f median %.3f max %.3f"
              + " | near: cosine >= %.2f %2d, with the lexical rule %2d%n",
          kind, list.size(), cosine[0], cosine[cosine.length / 2], cosine[cosine.length - 1],
          jaccard[0], jaccard[jaccard.length / 2], jaccard[jaccard.length - 1], threshold, byCosine, byRule);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("n", list.size());
      row.put("cosine", Map.of("min", round(cosine[0]), "median", round(cosine[cosine.length / 2]),
          "max", round(cosine[cosine.length - 1])));
      row.put("jaccard", Map.of("min", round(jaccard[0]), "median", round(jaccard[jaccard.length / 2]),
          "max", round(jaccard[jaccard.length - 1])));
      row.put("nearByCosine", byCosine);
      row.put("nearByLexicalRule", byRule);
      json.put(kind, row);
    });
    double cosineGap = minOfEdits(pairs, Pair::cosine) - maxOfSameTopic(pairs, Pair::cosine);
    double jaccardGap = minOfEdits(pairs, Pair::jaccard) - maxOfSameTopic(pairs, Pair::jaccard);
    out.printf(Locale.ROOT, "  separation (lowest edited copy minus highest same-topic pair): cosine %+.3f, Jaccard %+.3f%n",
        cosineGap, jaccardGap);
    json.put("separationCosine", round(cosineGap));
    json.put("separationJaccard", round(jaccardGap));
    out.printf(Locale.ROOT, "  lexical rule: Jaccard >= %.2f, or cosine >= %.2f and Jaccard >= %.2f; "
        + "MinHash estimate vs exact Jaccard: max error %.3f over %d pairs%n",
        rule.jaccard(), threshold, rule.minJaccard(), maxEstimateError, pairs.size());
    json.put("threshold", threshold);
    json.put("jaccard", rule.jaccard());
    json.put("minJaccard", rule.minJaccard());
    json.put("minHashMaxError", round(maxEstimateError));
    return json;
  }

  private static double minOfEdits(List<Pair> pairs, java.util.function.ToDoubleFunction<Pair> signal) {
    return pairs.stream().filter(p -> p.kind().startsWith("edit")).mapToDouble(signal).min().orElse(Double.NaN);
  }

  private static double maxOfSameTopic(List<Pair> pairs, java.util.function.ToDoubleFunction<Pair> signal) {
    return pairs.stream().filter(p -> p.kind().equals(SAME_TOPIC)).mapToDouble(signal).max().orElse(Double.NaN);
  }

  private Pair pair(String kind, String a, String b) {
    float[] x = embed(a);
    float[] y = embed(b);
    float dot = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
    }
    return new Pair(kind, dot, LexicalSignature.jaccard(LexicalSignature.of(a), LexicalSignature.of(b)),
        LexicalSignature.exactJaccard(a, b));
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

  private static double[] sorted(double[] values) {
    Arrays.sort(values);
    return values;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
