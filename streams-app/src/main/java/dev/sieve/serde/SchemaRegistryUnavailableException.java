package dev.sieve.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The schema registry could not be reached (refused, timed out, or answered 502/503/504) even
 * after retries. Not a {@link RecordDecodingException}: the record at hand is fine, so callers
 * retry later instead of dead-lettering it.
 */
public class SchemaRegistryUnavailableException extends SerializationException {

  public SchemaRegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
