package dev.sieve.deadletter;

import java.util.Objects;

/**
 * Why a record was not processed. Rejected records go to the dead-letter topic with their
 * original bytes; {@code reason} is a stable kebab-case code for alerting and replay tooling,
 * {@code message} explains the case in words.
 */
public record Rejection(Stage stage, String reason, String message) {

  /** Where in the pipeline the record was rejected. */
  public enum Stage {
    DECODE,
    VALIDATE,
    EMBED,
    /** A label definition the compiler refused (on the labels topic, not an event). */
    COMPILE,
    /** An embedded event the near-duplicate index cannot take (bad vector, older than the horizon). */
    DEDUP;

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Rejection {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }
}
