package dev.sieve.dedup;

import dev.sieve.embed.LexicalSignature;

/**
 * How the lexical signal combines with cosine for a pair of texts. Two events whose contents are
 * both text only (both carry a {@link LexicalSignature}) are near duplicates when
 * <ul>
 *   <li>their estimated Jaccard similarity is at least {@code jaccard} (an edited copy: most word
 *       pairs shared, whatever the embedding says), or
 *   <li>their cosine reaches the space's threshold <em>and</em> their Jaccard is at least
 *       {@code minJaccard} (the embedding says "same meaning" and enough words agree that it is
 *       the same message, not another message on the same topic).
 * </ul>
 * Any other pair (an image, a caption with a photo, a PDF, or the rule disabled) is a near
 * duplicate when its cosine reaches the threshold.
 *
 * @param enabled whether the lexical signal is used at all (false: cosine only, for every pair)
 * @param jaccard Jaccard at or above which two texts are near duplicates on their own
 * @param minJaccard Jaccard two texts need besides the cosine threshold
 */
public record LexicalRule(boolean enabled, double jaccard, double minJaccard) {

  /** Measured with the local model and SpamAssassin (see README: de-duplication). */
  public static final LexicalRule DEFAULTS = new LexicalRule(true, 0.6, 0.1);

  /** Cosine only. */
  public static final LexicalRule OFF = new LexicalRule(false, DEFAULTS.jaccard, DEFAULTS.minJaccard);

  public LexicalRule {
    if (!(jaccard > 0 && jaccard <= 1)) {
      throw new IllegalArgumentException("jaccard must be in (0, 1]: " + jaccard);
    }
    if (!(minJaccard >= 0 && minJaccard <= jaccard)) {
      throw new IllegalArgumentException("minJaccard must be in [0, jaccard=" + jaccard + "]: " + minJaccard);
    }
  }

  /** Whether the lexical signal decides a pair with these signatures (null or empty: not a text). */
  public boolean applies(int[] a, int[] b) {
    return enabled && a != null && b != null && a.length > 0 && b.length > 0;
  }

  /** Whether a pair at {@code cosine} and with these signatures is a near duplicate at {@code threshold}. */
  public boolean near(float cosine, double threshold, int[] a, int[] b) {
    return applies(a, b) ? nearTexts(cosine, threshold, LexicalSignature.jaccard(a, b)) : cosine >= threshold;
  }

  /** Whether two texts at {@code cosine} and Jaccard {@code j} are near duplicates at {@code threshold}. */
  public boolean nearTexts(float cosine, double threshold, float j) {
    if (!enabled) {
      return cosine >= threshold;
    }
    return j >= jaccard || (cosine >= threshold && j >= minJaccard);
  }
}
