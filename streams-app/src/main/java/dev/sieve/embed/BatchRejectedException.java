package dev.sieve.embed;

/**
 * The provider refused a whole embed request for good (e.g. HTTP 400 with the API's message).
 * Retrying the same request cannot succeed; retrying its inputs one by one finds the one at fault.
 */
public class BatchRejectedException extends RuntimeException {
  private final String reason;

  /** @param reason stable code for the DLQ, e.g. {@code provider-rejected} */
  public BatchRejectedException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
