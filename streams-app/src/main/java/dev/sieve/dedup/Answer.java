package dev.sieve.dedup;

import dev.sieve.avro.DuplicateKind;

/**
 * One route's answer for one event, on its way to the gather (keyed by event id).
 *
 * @param route {@link Probe#EXACT_ROUTE} or the cell that answered
 * @param kind EXACT, NEAR or NONE
 * @param expected answers the event gets in all
 */
record Answer(String eventId, String scope, int route, DuplicateKind kind, String matchId,
    float similarity, long matchOccurredAt, int expected) {

  static Answer none(Probe probe) {
    return new Answer(probe.eventId(), probe.scope(), probe.cell(), DuplicateKind.NONE, null, 0f, 0L,
        probe.answers());
  }

  static Answer match(Probe probe, DuplicateKind kind, String matchId, float similarity, long matchOccurredAt) {
    return new Answer(probe.eventId(), probe.scope(), probe.cell(), kind, matchId, similarity,
        matchOccurredAt, probe.answers());
  }

  /** EXACT beats NEAR beats NONE; among NEAR, the more similar, then the smaller id. */
  boolean betterThan(Answer other) {
    if (kind != other.kind) {
      return rank(kind) > rank(other.kind);
    }
    if (similarity != other.similarity) {
      return similarity > other.similarity;
    }
    return matchId != null && (other.matchId == null || matchId.compareTo(other.matchId) < 0);
  }

  private static int rank(DuplicateKind kind) {
    return switch (kind) {
      case EXACT -> 2;
      case NEAR -> 1;
      case NONE -> 0;
    };
  }
}
