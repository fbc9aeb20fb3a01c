package dev.sieve.dedup;

import dev.sieve.config.SieveConfig;
import java.time.Duration;

/**
 * The near-duplicate index's settings.
 *
 * @param thresholds cosine at or above which two vectors of one space are near-duplicates, per
 *     space
 * @param horizon how far apart in {@code occurredAt} two events may be and still be duplicates;
 *     also how long stored entries are kept (by stream time)
 * @param hashBits random hyperplanes of the routing SimHash: a scope and space is spread over
 *     {@code 2^hashBits} cells
 * @param floodSimilarity similarity at or above which an event is not stored in a cell where an
 *     event with the same cells is (it adds nothing there); keeps spam waves from growing cells
 * @param hashSeed seed of the hyperplanes; changing it on a running application re-routes every
 *     event, so the stored index no longer meets new events
 * @param lexical how Jaccard of two texts combines with cosine
 * @param partitions partitions of the index (its repartition topic {@code dedup-index}): the scatter
 *     sends each route to {@code murmur2(routing key) % partitions}, so every instance must use the
 *     same ({@code sieve.topics.partitions})
 */
public record DedupSettings(SpaceThresholds thresholds, Duration horizon, int hashBits, double floodSimilarity,
    long hashSeed, LexicalRule lexical, int partitions) {

  /** Defaults measured for the local model (see README: de-duplication), on one index partition. */
  public static final DedupSettings DEFAULTS = new DedupSettings(0.85, Duration.ofDays(30), 2, 0.98, 0x5133_7E5EL);

  /**
   * Settings with one threshold for every space, the default lexical rule and one index partition
   * (as {@code TopologyTestDriver} runs every topic).
   */
  public DedupSettings(double threshold, Duration horizon, int hashBits, double floodSimilarity, long hashSeed) {
    this(SpaceThresholds.uniform(threshold), horizon, hashBits, floodSimilarity, hashSeed, LexicalRule.DEFAULTS, 1);
  }

  public DedupSettings {
    if (horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("horizon must be positive: " + horizon);
    }
    if (!(floodSimilarity > 0 && floodSimilarity <= 1)) {
      throw new IllegalArgumentException("floodSimilarity must be in (0, 1]: " + floodSimilarity);
    }
    if (hashBits < 1 || hashBits > 24) {
      throw new IllegalArgumentException("hashBits must be in [1, 24]: " + hashBits);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
    }
  }

  public static DedupSettings from(SieveConfig config) {
    return new DedupSettings(
        SpaceThresholds.parse(config.getDouble(SieveConfig.DEDUP_THRESHOLD),
            config.getList(SieveConfig.DEDUP_THRESHOLDS)),
        Duration.ofMillis(config.getLong(SieveConfig.DEDUP_HORIZON_MS)),
        config.getInt(SieveConfig.DEDUP_HASH_BITS),
        config.getDouble(SieveConfig.DEDUP_FLOOD_SIMILARITY),
        config.getLong(SieveConfig.DEDUP_HASH_SEED),
        new LexicalRule(config.getBoolean(SieveConfig.DEDUP_LEXICAL_ENABLED),
            config.getDouble(SieveConfig.DEDUP_LEXICAL_JACCARD),
            config.getDouble(SieveConfig.DEDUP_LEXICAL_MIN_JACCARD)),
        config.getInt(SieveConfig.TOPICS_PARTITIONS));
  }

  /** The same settings with another lexical rule. */
  public DedupSettings withLexical(LexicalRule rule) {
    return new DedupSettings(thresholds, horizon, hashBits, floodSimilarity, hashSeed, rule, partitions);
  }

  /** The same settings on {@code indexPartitions} index partitions. */
  public DedupSettings withPartitions(int indexPartitions) {
    return new DedupSettings(thresholds, horizon, hashBits, floodSimilarity, hashSeed, lexical, indexPartitions);
  }

  /** The threshold of spaces without their own. */
  public double threshold() {
    return thresholds.fallback();
  }

  public long horizonMillis() {
    return horizon.toMillis();
  }
}
