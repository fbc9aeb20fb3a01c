package dev.sieve.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A point in time by which a start-up step must be done; waits are bounded by what is left. */
final class Deadline {

  private final Duration budget;
  private final long endNanos;

  private Deadline(Duration budget) {
    this.budget = budget;
    this.endNanos = System.nanoTime() + budget.toNanos();
  }

  static Deadline after(Duration budget) {
    return new Deadline(budget);
  }

  /** Milliseconds left, at least 1. */
  long remainingMillis() throws TimeoutException {
    long remaining = TimeUnit.NANOSECONDS.toMillis(endNanos - System.nanoTime());
    if (remaining <= 0) {
      throw new TimeoutException("not done within " + budget);
    }
    return remaining;
  }
}
