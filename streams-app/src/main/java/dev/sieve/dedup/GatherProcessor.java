package dev.sieve.dedup;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.DuplicateKind;
import dev.sieve.metrics.SieveMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Collects an event's answers, one per {@link ProbeGroup} (each the best over the group's routes:
 * exact route, cells, band buckets), and emits its one {@link DuplicateFlag} when the last arrives:
 * EXACT if the exact route found an original, else the most similar NEAR match, else not a
 * duplicate. An event whose routes all live in one partition has one answer and needs no store.
 */
final class GatherProcessor extends ContextualProcessor<String, Answer, String, DuplicateFlag> {

  static final String GATHER_STORE = "dedup-gather";

  private final SieveMetrics metrics;
  private KeyValueStore<String, byte[]> pending;

  GatherProcessor(SieveMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, DuplicateFlag> context) {
    super.init(context);
    pending = context.getStateStore(GATHER_STORE);
  }

  @Override
  public void process(Record<String, Answer> record) {
    Answer answer = record.value();
    if (answer.expected() == 1) {
      emit(List.of(answer), record.timestamp());
      return;
    }
    byte[] stored = pending.get(answer.eventId());
    List<Answer> answers = stored == null ? new ArrayList<>() : new ArrayList<>(DedupCodec.answers(stored));
    if (answers.stream().noneMatch(a -> a.partition() == answer.partition())) {
      answers.add(answer);
    }
    if (answers.size() < answer.expected()) {
      pending.put(answer.eventId(), DedupCodec.answers(answers));
      return;
    }
    pending.delete(answer.eventId());
    emit(answers, record.timestamp());
  }

  private void emit(List<Answer> answers, long timestamp) {
    DuplicateFlag flag = flag(answers);
    metrics.duplicateFlag(flag.getKind());
    context().forward(new Record<>(flag.getEventId(), flag, timestamp));
  }

  static DuplicateFlag flag(List<Answer> answers) {
    Answer best = answers.get(0);
    for (Answer answer : answers) {
      if (answer.betterThan(best)) {
        best = answer;
      }
    }
    boolean duplicate = best.kind() != DuplicateKind.NONE;
    return DuplicateFlag.newBuilder()
        .setEventId(best.eventId())
        .setIsDuplicate(duplicate)
        .setKind(best.kind())
        .setDuplicateOf(duplicate ? best.matchId() : null)
        .setSimilarity(duplicate && !Float.isNaN(best.similarity()) ? best.similarity() : null)
        .setJaccard(duplicate && !Float.isNaN(best.jaccard()) ? best.jaccard() : null)
        .setOriginalOccurredAt(duplicate ? java.time.Instant.ofEpochMilli(best.matchOccurredAt()) : null)
        .setScope(best.scope().isEmpty() ? null : best.scope())
        .build();
  }
}
