package dev.sieve.embed;

/** Content a provider cannot embed. {@link #reason()} is a stable code written to the DLQ. */
public class UnembeddableContentException extends RuntimeException {
  private final String reason;

  public UnembeddableContentException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
