package dev.sieve.topology;

import dev.sieve.avro.MediaEvent;
import dev.sieve.config.SieveConfig;
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
 * that error propagates and the record is retried. A record over {@code sieve.event.max.bytes} is
 * not decoded, and its dead letter leaves the value out: it would not fit the dead-letter topic,
 * and a failed write there would stop the instance.
 */
final class DecodeProcessor extends ContextualProcessor<byte[], byte[], String, Outcome<MediaEvent>> {

  private final Deserializer<MediaEvent> deserializer;
  private final int maxRecordBytes;

  DecodeProcessor(Deserializer<MediaEvent> deserializer, int maxRecordBytes) {
    this.deserializer = deserializer;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    byte[] key = record.key();
    byte[] value = record.value();
    Outcome<MediaEvent> outcome;
    if (value == null || value.length == 0) {
      outcome = Outcome.rejected(new Rejection(Stage.DECODE, "empty-record",
          "record has no value (tombstone or empty bytes)"), key, value);
    } else if (value.length > maxRecordBytes) {
      outcome = Outcome.rejected(new Rejection(Stage.DECODE, "record-too-large", "record of " + value.length
          + " bytes exceeds " + SieveConfig.EVENT_MAX_BYTES + "=" + maxRecordBytes
          + "; its value is left out of this dead letter (see the source topic, partition and offset)"), key, null);
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
