package dev.sieve.dedup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The near-duplicate threshold of each model space: a default, and overrides for some models.
 * Models differ in how similar unrelated content looks (the local model's unrelated texts score
 * far higher than a larger model's), so one cosine cannot fit every space.
 *
 * @param fallback the threshold of every space without an override
 * @param byModel overrides keyed by {@code provider/model} (every dimension and instruction of
 *     that model)
 */
public record SpaceThresholds(double fallback, Map<String, Double> byModel) {

  public SpaceThresholds {
    checkThreshold(fallback);
    byModel.values().forEach(SpaceThresholds::checkThreshold);
    byModel = Map.copyOf(byModel);
  }

  /** One threshold for every space. */
  public static SpaceThresholds uniform(double threshold) {
    return new SpaceThresholds(threshold, Map.of());
  }

  /**
   * Parses entries {@code provider/model=threshold}, e.g. {@code local/all-MiniLM-L6-v2-q=0.85}.
   *
   * @throws IllegalArgumentException naming the entry that is malformed, repeated or out of range
   */
  public static SpaceThresholds parse(double fallback, List<String> entries) {
    Map<String, Double> byModel = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.lastIndexOf('=');
      String model = eq < 0 ? "" : entry.substring(0, eq).trim();
      int slash = model.indexOf('/');
      if (slash <= 0 || slash == model.length() - 1) {
        throw new IllegalArgumentException("entry '" + entry + "' is not provider/model=threshold");
      }
      double threshold;
      try {
        threshold = Double.parseDouble(entry.substring(eq + 1).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("entry '" + entry + "' has no number after '='");
      }
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("entry '" + entry + "': threshold must be greater than 0 and at most 1");
      }
      if (byModel.put(model, threshold) != null) {
        throw new IllegalArgumentException("model " + model + " is given twice");
      }
    }
    return new SpaceThresholds(fallback, byModel);
  }

  /** The threshold of a space, given as {@link CellRouter#spaceKey} ({@code provider/model/dimensions/instruction}). */
  public double of(String spaceKey) {
    for (Map.Entry<String, Double> entry : byModel.entrySet()) {
      if (spaceKey.startsWith(entry.getKey() + '/')) {
        return entry.getValue();
      }
    }
    return fallback;
  }

  private static void checkThreshold(double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
    }
  }
}
