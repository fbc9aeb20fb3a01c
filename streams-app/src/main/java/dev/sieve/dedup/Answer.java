package dev.sieve.dedup;

import dev.sieve.avro.DuplicateKind;

/**
 * One {@link ProbeGroup}'s answer for one event (the best over its routes), on its way to the
 * gather (keyed by event id).
 *
 * @param partition the index partition that answered (one group per partition)
 * @param kind EXACT, NEAR or NONE
 * @param similarity cosine to the match; NaN for a match a band bucket decided on text alone
 * @param jaccard estimated Jaccard to the match; NaN unless both are texts compared lexically
 * @param expected answers the event gets in all: its number of groups
 */
record Answer(String eventId, String scope, int partition, DuplicateKind kind, String matchId,
    float similarity, float jaccard, long matchOccurredAt, int expected) {

  static Answer none(ProbeGroup group) {
    return new Answer(group.eventId(), group.scope(), group.partition(), DuplicateKind.NONE, null, 0f, Float.NaN, 0L,
        group.groups());
  }

  static Answer match(ProbeGroup group, DuplicateKind kind, String matchId, float similarity, float jaccard,
      long matchOccurredAt) {
    return new Answer(group.eventId(), group.scope(), group.partition(), kind, matchId, similarity, jaccard,
        matchOccurredAt, group.groups());
  }

  /**
   * EXACT beats NEAR beats NONE; among NEAR, the more similar by cosine (a match without one
   * comes last), then by Jaccard, then the smaller id.
   */
  boolean betterThan(Answer other) {
    if (kind != other.kind) {
      return rank(kind) > rank(other.kind);
    }
    int bySimilarity = Float.compare(orLowest(similarity), orLowest(other.similarity));
    if (bySimilarity != 0) {
      return bySimilarity > 0;
    }
    int byJaccard = Float.compare(orLowest(jaccard), orLowest(other.jaccard));
    if (byJaccard != 0) {
      return byJaccard > 0;
    }
    return matchId != null && (other.matchId == null || matchId.compareTo(other.matchId) < 0);
  }

  private static float orLowest(float value) {
    return Float.isNaN(value) ? Float.NEGATIVE_INFINITY : value;
  }

  private static int rank(DuplicateKind kind) {
    return switch (kind) {
      case EXACT -> 2;
      case NEAR -> 1;
      case NONE -> 0;
    };
  }
}
