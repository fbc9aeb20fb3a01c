package dev.sieve.embed;

import java.time.Duration;
import java.util.Optional;

/**
 * The provider cannot answer now (throttled, overloaded, unreachable, timed out) after its own
 * retries. Nothing is wrong with the content: the caller must keep it and try again later.
 */
public class ProviderUnavailableException extends RuntimeException {
  private final Duration retryAfter;

  /** @param retryAfter how long the provider asked callers to wait, or null if it did not say */
  public ProviderUnavailableException(String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
