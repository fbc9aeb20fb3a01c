package dev.sieve.embed.gemini;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A client-side limit on requests and tokens per window (a minute), so that the project's quota
 * is not hit in the first place. Sliding-window log: a request may start when, counting it, the
 * requests and tokens started in the last window stay within the limits. {@link #acquire} blocks
 * the calling thread until then; callers are served in arrival order. A request estimated above
 * the whole token limit waits for an empty window, then goes alone.
 */
final class RequestQuota {

  private record Start(long nanos, int tokens) {}

  private final int maxRequests;
  private final long maxTokens;
  private final long windowNanos;
  private final Deque<Start> started = new ArrayDeque<>();
  private long tokensInWindow;

  /** @param maxRequests 0 = unlimited; @param maxTokens 0 = unlimited */
  RequestQuota(int maxRequests, long maxTokens, Duration window) {
    this.maxRequests = maxRequests;
    this.maxTokens = maxTokens;
    this.windowNanos = window.toNanos();
  }

  /** Waits until a request of this many tokens may start, and counts it as started. */
  synchronized void acquire(int tokens) throws InterruptedException {
    if (maxRequests == 0 && maxTokens == 0) {
      return;
    }
    while (true) {
      long now = System.nanoTime();
      while (!started.isEmpty() && now - started.peekFirst().nanos() >= windowNanos) {
        tokensInWindow -= started.pollFirst().tokens();
      }
      boolean requestsFit = maxRequests == 0 || started.size() < maxRequests;
      boolean tokensFit = maxTokens == 0 || tokensInWindow + tokens <= maxTokens || started.isEmpty();
      if (requestsFit && tokensFit) {
        started.addLast(new Start(now, tokens));
        tokensInWindow += tokens;
        return;
      }
      // Holding the monitor while waiting keeps arrival order: the next caller waits its turn.
      long wait = started.peekFirst().nanos() + windowNanos - now;
      Thread.sleep(Math.max(1, wait / 1_000_000), (int) (Math.max(0, wait) % 1_000_000));
    }
  }
}
