package dev.sieve.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Texts made for tests: random messages over one vocabulary (one topic), and edited copies. */
final class Texts {

  private final Random random;

  Texts(long seed) {
    this.random = new Random(seed);
  }

  /** A message of {@code words} words drawn from 300: two of them share few word pairs. */
  String message(int words) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < words; i++) {
      out.add("word" + random.nextInt(300));
    }
    return String.join(" ", out);
  }

  /** The message with its middle word dropped and a signature appended (Jaccard about 0.75 at 30 words). */
  static String edited(String message) {
    List<String> words = new ArrayList<>(Arrays.asList(message.split(" ")));
    words.remove(words.size() / 2);
    return String.join(" ", words) + " -- Sent from my phone";
  }
}
