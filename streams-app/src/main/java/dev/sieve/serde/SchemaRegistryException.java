package dev.sieve.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The schema registry answered a request with an error. {@link #errorCode()} is the Confluent
 * {@code error_code} of the answer (e.g. 40401 subject not found, 409 incompatible schema), or
 * the HTTP status when the body carried none.
 */
public class SchemaRegistryException extends SerializationException {
  private final int errorCode;

  public SchemaRegistryException(String message, int errorCode) {
    super(message);
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, int errorCode, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
  }

  public int errorCode() {
    return errorCode;
  }
}
