package dev.sieve.embed.stage;

import java.util.concurrent.atomic.LongAdder;

/**
 * How often the embed stage found a content's vector without calling the model: in the content
 * cache, or already being embedded for an earlier record of the same content. Shared by all tasks
 * of an instance; read it from any thread.
 */
public final class CacheStatistics {

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  void hit() {
    hits.increment();
  }

  void miss() {
    misses.increment();
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  /** Hits over lookups, 0 before the first lookup. */
  public double hitRate() {
    long h = hits.sum();
    long total = h + misses.sum();
    return total == 0 ? 0 : (double) h / total;
  }
}
