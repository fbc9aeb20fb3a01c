package dev.sieve.embed;

import dev.sieve.avro.MediaPart;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MinHash signature of a text's word shingles: two signatures agree at each position with
 * probability equal to the Jaccard similarity of the two texts' shingle sets, so comparing them
 * estimates it (standard error {@code sqrt(J(1-J)/128)}, at most 0.044). It tells an edited copy
 * of a message (most word pairs shared) from a different message on the same topic (few shared),
 * which embeddings of short texts do not.
 *
 * <p>Definition (version 1), so that other components can reproduce it:
 * <ol>
 *   <li><b>Text</b> of a content: only contents whose every part is a {@code text} part have one
 *       (a caption next to an image describes the image; it is not the content). The
 *       {@code title} and {@code caption} attributes, then the text parts, joined by newlines.
 *   <li><b>Normalisation</b>: Unicode NFKC, lower case ({@code Locale.ROOT}); words are the
 *       maximal runs of letters, marks and digits ({@code [\p{L}\p{M}\p{N}]+}), so punctuation,
 *       white space and line breaks (re-wrapping) do not count.
 *   <li><b>Shingles</b>: every run of {@value #SHINGLE_WORDS} consecutive words, words joined by
 *       one space; a text of fewer words is one shingle. No words: no signature.
 *   <li><b>Hash</b> of a shingle: 64-bit FNV-1a over its UTF-8 bytes.
 *   <li><b>Signature</b>: {@value #LENGTH} values; value {@code i} is the minimum, over the
 *       shingles, of the upper 32 bits of {@code splitmix64(hash + (SEED + i) * 0x9E3779B97F4A7C15)}
 *       compared as unsigned integers, with {@code SEED} = {@value #SEED}.
 * </ol>
 */
public final class LexicalSignature {

  /** Values per signature. */
  public static final int LENGTH = 128;
  /** Words per shingle (measured: see README, de-duplication). */
  public static final int SHINGLE_WORDS = 2;
  /** Seed of the hash functions; part of the definition, so not a setting. */
  public static final long SEED = 0x51E7E_5EEDL;

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+");
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private LexicalSignature() {}

  /** The signature of a text-only content, or null when it has another kind of part or no words. */
  public static List<Integer> ofContent(List<MediaPart> parts, Map<String, String> attributes) {
    List<String> lines = new ArrayList<>();
    for (String key : EmbeddedAttributes.KEYS) {
      if (attributes.get(key) != null) {
        lines.add(attributes.get(key));
      }
    }
    for (MediaPart part : parts) {
      if (part.getText() == null) {
        return null;
      }
      lines.add(part.getText());
    }
    int[] signature = of(String.join("\n", lines));
    if (signature == null) {
      return null;
    }
    List<Integer> boxed = new ArrayList<>(LENGTH);
    for (int value : signature) {
      boxed.add(value);
    }
    return boxed;
  }

  /** The signature of a text, or null when it has no words. */
  public static int[] of(String text) {
    long[] shingles = distinctShingles(text);
    if (shingles.length == 0) {
      return null;
    }
    // Minima kept with the sign bit flipped, so that a signed comparison orders them as unsigned.
    int[] signature = new int[LENGTH];
    java.util.Arrays.fill(signature, Integer.MAX_VALUE); // the largest unsigned value, flipped
    for (long shingle : shingles) {
      for (int i = 0; i < LENGTH; i++) {
        int value = (int) (splitmix64(shingle + OFFSETS[i]) >>> 32) ^ Integer.MIN_VALUE;
        if (value < signature[i]) {
          signature[i] = value;
        }
      }
    }
    for (int i = 0; i < LENGTH; i++) {
      signature[i] ^= Integer.MIN_VALUE;
    }
    return signature;
  }

  /** {@code (SEED + i) * 0x9E3779B97F4A7C15} of each hash function {@code i}. */
  private static final long[] OFFSETS = new long[LENGTH];

  static {
    for (int i = 0; i < LENGTH; i++) {
      OFFSETS[i] = (SEED + i) * GOLDEN;
    }
  }

  /** The estimated Jaccard similarity of the texts of two signatures: the share of equal values. */
  public static float jaccard(int[] a, int[] b) {
    int equal = 0;
    for (int i = 0; i < LENGTH; i++) {
      equal += a[i] == b[i] ? 1 : 0;
    }
    return equal / (float) LENGTH;
  }

  /** The exact Jaccard similarity of two texts' shingle sets (what {@link #jaccard} estimates). */
  public static double exactJaccard(String a, String b) {
    Set<Long> first = shingles(a);
    Set<Long> second = shingles(b);
    Set<Long> union = new HashSet<>(first);
    union.addAll(second);
    if (union.isEmpty()) {
      return 0;
    }
    first.retainAll(second);
    return first.size() / (double) union.size();
  }

  /** The hashed shingles of a text. */
  static Set<Long> shingles(String text) {
    Set<Long> shingles = new HashSet<>();
    for (long shingle : distinctShingles(text)) {
      shingles.add(shingle);
    }
    return shingles;
  }

  /** The hashed shingles of a text, each once, in ascending order. */
  private static long[] distinctShingles(String text) {
    List<String> words = new ArrayList<>();
    Matcher matcher = WORD.matcher(Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT));
    while (matcher.find()) {
      words.add(matcher.group());
    }
    if (words.isEmpty()) {
      return new long[0];
    }
    int n = Math.max(1, words.size() - SHINGLE_WORDS + 1);
    long[] hashes = new long[n];
    for (int i = 0; i < n; i++) {
      hashes[i] = fnv1a(String.join(" ", words.subList(i, Math.min(words.size(), i + SHINGLE_WORDS))));
    }
    java.util.Arrays.sort(hashes);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || hashes[i] != hashes[i - 1]) {
        hashes[distinct++] = hashes[i];
      }
    }
    return java.util.Arrays.copyOf(hashes, distinct);
  }

  private static long fnv1a(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  private static long splitmix64(long x) {
    long z = x;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
