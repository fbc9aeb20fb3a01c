package dev.sieve.connect.moderation;

/** Spaces requests evenly so that at most {@code perSecond} start in any second (0: no limit). */
final class RequestPacer {

  private final long intervalNanos;
  private long nextNanos = System.nanoTime();

  RequestPacer(double perSecond) {
    this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
  }

  /** Waits for the next request's turn. */
  void await() throws InterruptedException {
    if (intervalNanos == 0) {
      return;
    }
    long wait = nextNanos - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
    nextNanos = Math.max(nextNanos, System.nanoTime() - intervalNanos) + intervalNanos;
  }
}
