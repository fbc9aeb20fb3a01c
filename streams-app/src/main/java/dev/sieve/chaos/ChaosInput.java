package dev.sieve.chaos;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The input of a chaos run: text events of {@value #WORDS} random words from a large vocabulary,
 * among them planted pairs, each copy at a random place in the stream: exact copies (same text)
 * and near copies ({@value #EDITED_WORDS} words replaced). With the emulator's word-bag vectors a
 * near pair has a cosine near 0.95 and unrelated events near 0. Only pairs are planted, never
 * larger groups, so "the set of duplicate pairs" of a run is unambiguous. The same seed gives the
 * same events (ids, texts, order); {@code occurredAt} is {@code start} plus the event's position
 * in milliseconds.
 *
 * @param events in the order they are produced
 * @param plantedPairs the planted pairs, each as {first id, second id} in input order
 */
public record ChaosInput(List<MediaEvent> events, List<Pair> plantedPairs) {

  static final int WORDS = 40;
  static final int EDITED_WORDS = 2;
  private static final int VOCABULARY = 20_000;
  private static final String[] SYLLABLES = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po",
      "da", "fe", "gu", "hi", "jo", "bre", "cla", "dro", "fli", "gra", "pla", "sto", "tri", "wen"};

  /** Two events, in no particular order; equal to the same two the other way round. */
  public record Pair(String a, String b) {
    public Pair {
      if (a.compareTo(b) > 0) {
        String first = a;
        a = b;
        b = first;
      }
    }
  }

  /**
   * @param count events in all
   * @param pairShare share of events that belong to a planted pair (half of the pairs exact,
   *     half near), e.g. 0.2
   */
  public static ChaosInput generate(int count, double pairShare, long seed, Instant start) {
    if (count < 2 || !(pairShare >= 0 && pairShare <= 1)) {
      throw new IllegalArgumentException("need at least 2 events and a pair share in [0, 1]: " + count + ", " + pairShare);
    }
    Random random = new Random(seed);
    String[] vocabulary = vocabulary(random);
    int pairs = (int) (count * pairShare / 2);
    int singles = count - 2 * pairs;
    List<String> texts = new ArrayList<>(count);
    List<int[]> pairSlots = new ArrayList<>();
    for (int i = 0; i < singles + pairs; i++) {
      texts.add(text(vocabulary, random));
    }
    for (int p = 0; p < pairs; p++) {
      int original = singles + p;
      String copy = p % 2 == 0 ? texts.get(original) : edit(texts.get(original), vocabulary, random);
      texts.add(copy);
      pairSlots.add(new int[] {original, texts.size() - 1});
    }
    List<Integer> order = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    int[] position = new int[count];
    for (int i = 0; i < count; i++) {
      position[order.get(i)] = i;
    }
    List<MediaEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(event(i, texts.get(order.get(i)), start));
    }
    List<Pair> planted = new ArrayList<>(pairs);
    for (int[] slots : pairSlots) {
      planted.add(new Pair(idOf(position[slots[0]]), idOf(position[slots[1]])));
    }
    return new ChaosInput(List.copyOf(events), List.copyOf(planted));
  }

  static String idOf(int position) {
    return String.format("ev-%07d", position);
  }

  private static MediaEvent event(int position, String text, Instant start) {
    return MediaEvent.newBuilder().setId(idOf(position)).setOccurredAt(start.plusMillis(position))
        .setSource("chaos").setParts(List.of(MediaPart.newBuilder().setText(text).build()))
        .setAttributes(Map.of()).build();
  }

  private static String[] vocabulary(Random random) {
    String[] words = new String[VOCABULARY];
    for (int w = 0; w < VOCABULARY; w++) {
      // Syllables plus a base-26 suffix of the index: every word distinct, none a number.
      StringBuilder word = new StringBuilder();
      for (int s = 2 + random.nextInt(2); s > 0; s--) {
        word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
      }
      for (int n = w; n > 0; n /= 26) {
        word.append((char) ('a' + n % 26));
      }
      words[w] = word.toString();
    }
    return words;
  }

  private static String text(String[] vocabulary, Random random) {
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < WORDS; w++) {
      text.append(w == 0 ? "" : " ").append(vocabulary[random.nextInt(vocabulary.length)]);
    }
    return text.toString();
  }

  private static String edit(String text, String[] vocabulary, Random random) {
    String[] words = text.split(" ");
    for (int e = 0; e < EDITED_WORDS; e++) {
      words[random.nextInt(words.length)] = vocabulary[random.nextInt(vocabulary.length)];
    }
    return String.join(" ", words);
  }
}
