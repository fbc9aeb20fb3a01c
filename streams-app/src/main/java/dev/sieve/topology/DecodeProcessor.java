package dev.sieve.topology;

import dev.sieve.avro.MediaEvent;
import dev.sieve.deadletter.Rejection;
import dev.sieve.deadletter.Rejection.Stage;
import dev.sieve.serde.RecordDecodingException;
import dev.sieve.serde.SchemaRegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes raw input records into events keyed by event id. A record that cannot be decoded
 * becomes a rejection carrying its bytes; an unreachable registry is not the record's fault, so
 * that error propagates and the record is retried.
 */
final class DecodeProcessor extends ContextualProcessor<byte[], byte[], String, Outcome<MediaEvent>> {

  private final Deserializer<MediaEvent> deserializer;

  DecodeProcessor(Deserializer<MediaEvent> deserializer) {
    this.deserializer = deserializer;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    byte[] key = record.key();
    byte[] value = record.value();
    Outcome<MediaEvent> outcome;
    if (value == null || value.length == 0) {
      outcome = Outcome.rejected(new Rejection(Stage.DECODE, "empty-record",
          "record has no value (tombstone or empty bytes)"), key, value);
    } else {
      outcome = decode(record.headers(), key, value);
    }
    String eventKey = outcome instanceof Outcome.Accepted<MediaEvent> accepted
        ? accepted.acceptedValue().getId()
        : key == null ? null : new String(key, StandardCharsets.UTF_8);
    context().forward(record.withKey(eventKey).withValue(outcome));
  }

  private Outcome<MediaEvent> decode(org.apache.kafka.common.header.Headers headers, byte[] key, byte[] value) {
    String topic = context().recordMetadata().map(m -> m.topic()).orElse("");
    try {
      MediaEvent event = deserializer.deserialize(topic, headers, value);
      return Outcome.accepted(event, key, value);
    } catch (SchemaRegistryUnavailableException e) {
      throw e;
    } catch (RecordDecodingException e) {
      return Outcome.rejected(new Rejection(Stage.DECODE, e.reason(), e.getMessage()), key, value);
    } catch (SerializationException | ClassCastException | IllegalArgumentException e) {
      // A replacement serde (sieve.serde.class) reports failures without our reason codes.
      return Outcome.rejected(new Rejection(Stage.DECODE, "undecodable-record",
          e.getClass().getSimpleName() + ": " + e.getMessage()), key, value);
    }
  }
}
