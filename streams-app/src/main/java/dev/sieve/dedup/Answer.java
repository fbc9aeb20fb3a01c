package dev.sieve.dedup;

import dev.sieve.avro.DuplicateKind;

/**
 * One route's answer for one event, on its way to the gather (keyed by event id).
 *
 * @param route {@link Probe#EXACT_ROUTE}, the cell or the band route that answered
 * @param kind EXACT, NEAR or NONE
 * @param similarity cosine to the match; NaN for a match a band bucket decided on text alone
 * @param jaccard estimated Jaccard to the match; NaN unless both are texts compared lexically
 * @param expected answers the event gets in all
 */
record Answer(String eventId, String scope, int route, DuplicateKind kind, String matchId,
    float similarity, float jaccard, long matchOccurredAt, int expected) {

  static Answer none(Probe probe) {
    return new Answer(probe.eventId(), probe.scope(), probe.route(), DuplicateKind.NONE, null, 0f, Float.NaN, 0L,
        probe.answers());
  }

  static Answer match(Probe probe, DuplicateKind kind, String matchId, float similarity, float jaccard,
      long matchOccurredAt) {
    return new Answer(probe.eventId(), probe.scope(), probe.route(), kind, matchId, similarity, jaccard,
        matchOccurredAt, probe.answers());
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
