package dev.sieve.topology;

import dev.sieve.deadletter.DeadLetterHeaders;
import dev.sieve.metrics.SieveMetrics;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/** Turns a rejection back into the original record, annotated with why and where it was rejected. */
final class DeadLetterProcessor<T> extends ContextualProcessor<String, Outcome<T>, byte[], byte[]> {

  private final SieveMetrics metrics;

  DeadLetterProcessor(SieveMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void process(Record<String, Outcome<T>> record) {
    Outcome.Rejected<T> rejected = (Outcome.Rejected<T>) record.value();
    Outcome.Source source = rejected.source() != null ? rejected.source() : context().recordMetadata()
        .map(m -> new Outcome.Source(m.topic(), m.partition(), m.offset())).orElse(null);
    var headers = DeadLetterHeaders.annotate(record.headers(), rejected.rejection(),
        source == null ? null : source.topic(),
        source == null ? -1 : source.partition(),
        source == null ? -1 : source.offset());
    metrics.deadLetter(rejected.rejection().stage().code(), rejected.rejection().reason());
    context().forward(new Record<>(rejected.originalKey(), rejected.originalValue(), record.timestamp(), headers));
  }
}
