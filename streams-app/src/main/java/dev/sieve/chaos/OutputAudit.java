package dev.sieve.chaos;

import dev.sieve.chaos.ChaosInput.Pair;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one run wrote, checked against what went in: every input event must have exactly one
 * record on each result topic, or be on the dead-letter topic (exactly once) instead. Fed with
 * every record a read_committed consumer reads; {@link #report()} then counts lost and doubled
 * events per topic and the duplicate pairs the flags name.
 */
public final class OutputAudit {

  /** The result topics every accepted event must reach, by role. */
  public static final List<String> RESULT_ROLES = List.of("embeddings", "categories", "moderation", "duplicates");

  private final Set<String> inputIds;
  private final Map<String, Map<String, Integer>> countsByRole = new LinkedHashMap<>();
  private final Map<String, Integer> deadLetters = new HashMap<>();
  private final Map<Pair, Integer> flaggedPairs = new HashMap<>();
  private long unknownKeys;

  public OutputAudit(Set<String> inputIds) {
    this.inputIds = Set.copyOf(inputIds);
    RESULT_ROLES.forEach(role -> countsByRole.put(role, new HashMap<>()));
  }

  /** A record on the result topic of {@code role}, keyed by event id. */
  public void result(String role, String eventId) {
    Map<String, Integer> counts = countsByRole.get(role);
    if (counts == null) {
      throw new IllegalArgumentException("not a result role: " + role + "; one of " + RESULT_ROLES);
    }
    count(counts, eventId);
  }

  /** A duplicate flag: counted as a result record, and as a pair when it names an original. */
  public void flag(String eventId, boolean isDuplicate, String duplicateOf) {
    result("duplicates", eventId);
    if (isDuplicate && duplicateOf != null) {
      flaggedPairs.merge(new Pair(eventId, duplicateOf), 1, Integer::sum);
    }
  }

  /** A record on the dead-letter topic (key = event id, or null when the event could not be read). */
  public void deadLetter(String eventId) {
    count(deadLetters, eventId);
  }

  private void count(Map<String, Integer> counts, String eventId) {
    if (eventId == null || !inputIds.contains(eventId)) {
      unknownKeys++;
      return;
    }
    counts.merge(eventId, 1, Integer::sum);
  }

  /** Input events with a record on the result topic of {@code role} so far. */
  public long covered(String role) {
    return countsByRole.get(role).size();
  }

  /** Whether every input event has a record on every result topic or on the dead-letter topic. */
  public boolean complete() {
    for (Map<String, Integer> counts : countsByRole.values()) {
      if (counts.size() + deadLetters.size() < inputIds.size()) {
        return false;
      }
      for (String id : inputIds) {
        if (!counts.containsKey(id) && !deadLetters.containsKey(id)) {
          return false;
        }
      }
    }
    return true;
  }

  public Report report() {
    Map<String, TopicFigures> topics = new LinkedHashMap<>();
    countsByRole.forEach((role, counts) -> {
      long records = counts.values().stream().mapToLong(Integer::longValue).sum();
      long lost = inputIds.stream().filter(id -> !counts.containsKey(id) && !deadLetters.containsKey(id)).count();
      long doubled = counts.values().stream().filter(n -> n > 1).count();
      topics.put(role, new TopicFigures(records, lost, doubled));
    });
    long dlqRecords = deadLetters.values().stream().mapToLong(Integer::longValue).sum();
    long dlqDoubled = deadLetters.values().stream().filter(n -> n > 1).count();
    long pairsFlaggedTwice = flaggedPairs.values().stream().filter(n -> n > 1).count();
    return new Report(inputIds.size(), topics, dlqRecords, dlqDoubled, unknownKeys,
        Set.copyOf(flaggedPairs.keySet()), pairsFlaggedTwice);
  }

  /**
   * @param records records of the topic that belong to input events
   * @param lost input events with neither a record here nor a dead letter
   * @param doubled input events with more than one record here
   */
  public record TopicFigures(long records, long lost, long doubled) {}

  /**
   * @param unknownKeys records keyed by no input event (null keys included)
   * @param pairs the pairs the duplicate flags name (event, original), unordered
   * @param pairsFlaggedTwice pairs named by more than one flag (each way round, or a doubled flag)
   */
  public record Report(int events, Map<String, TopicFigures> topics, long dlqRecords, long dlqDoubled,
      long unknownKeys, Set<Pair> pairs, long pairsFlaggedTwice) {

    public long lost() {
      return topics.values().stream().mapToLong(TopicFigures::lost).sum();
    }

    public long doubled() {
      return topics.values().stream().mapToLong(TopicFigures::doubled).sum() + dlqDoubled;
    }

    /** How this run's pairs differ from a reference run's over the same input. */
    public PairComparison compareWith(Report reference) {
      Set<Pair> missing = new HashSet<>(reference.pairs);
      missing.removeAll(pairs);
      Set<Pair> extra = new HashSet<>(pairs);
      extra.removeAll(reference.pairs);
      return new PairComparison(missing.size(), extra.size(), pairsFlaggedTwice);
    }
  }

  /**
   * @param missing pairs the reference run found and this one did not
   * @param extra pairs this run found and the reference run did not
   * @param flaggedTwice pairs this run flagged more than once
   */
  public record PairComparison(long missing, long extra, long flaggedTwice) {
    public long mismatched() {
      return missing + extra + flaggedTwice;
    }
  }
}
