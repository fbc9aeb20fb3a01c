package dev.sieve.connect.moderation;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.ModerationResult;
import dev.sieve.connect.ConnectorVersion;
import dev.sieve.serde.RecordDecodingException;
import dev.sieve.serde.SchemaRegistryUnavailableException;
import dev.sieve.serde.SpecificAvroDeserializer;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes verdicts ({@code ModerationResult}) and duplicate flags ({@code DuplicateFlag}) from
 * their wire-format bytes and delivers the selected ones to the webhook, one at a time in offset
 * order. A record the endpoint refuses, that still fails after every retry, or that cannot be
 * decoded goes to the connector's dead-letter queue through the errant record reporter; without a
 * dead-letter queue the task fails rather than lose it.
 */
public final class ModerationActionSinkTask extends SinkTask {

  private static final Logger log = LoggerFactory.getLogger(ModerationActionSinkTask.class);

  private ModerationActionSinkConfig config;
  private Webhook webhook;
  private SpecificAvroDeserializer<SpecificRecord> values;
  private ErrantRecordReporter deadLetters;

  @Override
  public String version() {
    return ConnectorVersion.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new ModerationActionSinkConfig(props);
    webhook = new Webhook(config);
    values = new SpecificAvroDeserializer<>();
    values.configure(config.originals(), false);
    deadLetters = context.errantRecordReporter();
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    for (SinkRecord record : records) {
      Optional<Action> action;
      try {
        action = action(record);
      } catch (SchemaRegistryUnavailableException e) {
        // Passing: the worker hands the batch over again (receivers de-duplicate on the key).
        throw new RetriableException("schema registry unavailable: " + e.getMessage(), e);
      } catch (RecordDecodingException | NotAnActionException e) {
        fail(record, "cannot decode " + record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset()
            + ": " + e.getMessage());
        continue;
      }
      if (action.isEmpty()) {
        continue;
      }
      Webhook.Outcome outcome;
      try {
        outcome = webhook.deliver(action.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConnectException("interrupted while delivering " + action.get().idempotencyKey(), e);
      }
      if (outcome instanceof Webhook.Outcome.Failed failed) {
        fail(record, "action " + action.get().idempotencyKey() + " not delivered: " + failed.reason());
      } else {
        log.debug("Delivered action {}", action.get().idempotencyKey());
      }
    }
  }

  private Optional<Action> action(SinkRecord record) {
    if (record.value() == null) {
      return Optional.empty();
    }
    if (!(record.value() instanceof byte[] bytes)) {
      throw new NotAnActionException("expected bytes (value.converter=ByteArrayConverter), got "
          + record.value().getClass().getName());
    }
    SpecificRecord value = values.deserialize(record.topic(), bytes);
    Action.Origin origin = new Action.Origin(record.topic(), record.kafkaPartition(), record.kafkaOffset());
    if (value instanceof ModerationResult result) {
      return Action.of(result, config.verdicts(), config.labels(), origin);
    }
    if (value instanceof DuplicateFlag flag) {
      return Action.of(flag, config.duplicateKinds(), origin);
    }
    throw new NotAnActionException("neither a ModerationResult nor a DuplicateFlag: "
        + value.getSchema().getFullName());
  }

  private void fail(SinkRecord record, String reason) {
    log.warn("{}", reason);
    if (deadLetters == null) {
      throw new ConnectException(reason + "; set errors.tolerance=all and errors.deadletterqueue.topic.name "
          + "to send such records to a dead-letter queue instead of stopping");
    }
    deadLetters.report(record, new ActionFailedException(reason));
  }

  @Override
  public void stop() {}

  /** A record that is not a verdict or a duplicate flag in Sieve's wire format. */
  static final class NotAnActionException extends RuntimeException {
    NotAnActionException(String message) {
      super(message);
    }
  }

  /** Why a record went to the dead-letter queue (its message is in the record's error headers). */
  static final class ActionFailedException extends RuntimeException {
    ActionFailedException(String reason) {
      super(reason);
    }
  }
}
