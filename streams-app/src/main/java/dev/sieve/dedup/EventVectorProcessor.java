package dev.sieve.dedup;

import dev.sieve.topology.Outcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Remembers each accepted event's vector by event id, for {@code GET /similar/{eventId}}: the
 * index itself is partitioned by cell, and keeps no copy of an event that a stored one already
 * represents, so it cannot find an event by id. The store is partitioned like the input (by event
 * id), so interactive queries find an id's owner with {@code queryMetadataForKey}. Entries leave
 * with the index's horizon of stream time; vectors are int8 as in the index.
 */
final class EventVectorProcessor extends ContextualProcessor<String, Outcome<Probe>, Void, Void> {

  static final String STORE = "dedup-vectors";
  private static final byte VERSION = 1;

  private final DedupSettings settings;
  private KeyValueStore<String, byte[]> vectors;

  EventVectorProcessor(DedupSettings settings) {
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    super.init(context);
    vectors = context.getStateStore(STORE);
    context.schedule(IndexProcessor.purgeInterval(settings.horizon()), PunctuationType.STREAM_TIME, this::purge);
  }

  @Override
  public void process(Record<String, Outcome<Probe>> record) {
    Probe probe = record.value().value();
    vectors.put(probe.eventId(), encode(new IndexQueries.EventVector(probe.eventId(), probe.scope(),
        probe.space(), probe.occurredAt(), record.timestamp(), QuantizedVector.of(probe.vector()))));
  }

  private void purge(long streamTime) {
    long cutoff = streamTime - settings.horizonMillis();
    try (KeyValueIterator<String, byte[]> all = vectors.all()) {
      while (all.hasNext()) {
        var entry = all.next();
        if (decode(entry.value).timestamp() < cutoff) {
          vectors.delete(entry.key);
        }
      }
    }
  }

  static byte[] encode(IndexQueries.EventVector vector) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeUTF(vector.eventId());
      out.writeUTF(vector.scope());
      out.writeUTF(vector.space());
      out.writeLong(vector.occurredAt());
      out.writeLong(vector.timestamp());
      DedupCodec.writeVector(out, vector.vector());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static IndexQueries.EventVector decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalStateException("unknown event vector record version " + version);
      }
      String id = in.readUTF();
      String scope = in.readUTF();
      String space = in.readUTF();
      long occurredAt = in.readLong();
      long timestamp = in.readLong();
      return new IndexQueries.EventVector(id, scope, space, occurredAt, timestamp, DedupCodec.readVector(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
