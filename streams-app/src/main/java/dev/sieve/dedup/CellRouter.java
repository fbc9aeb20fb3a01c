package dev.sieve.dedup;

import dev.sieve.avro.ModelSpace;
import java.util.HashMap;
import java.util.Map;

/** The routing {@link SimHash} of every model space, made on first use. */
final class CellRouter {

  private final DedupSettings settings;
  private final Map<String, SimHash> bySpace = new HashMap<>();

  CellRouter(DedupSettings settings) {
    this.settings = settings;
  }

  int[] cells(String spaceKey, float[] unitVector) {
    return bySpace.computeIfAbsent(spaceKey,
        key -> new SimHash(settings.hashBits(), unitVector.length, settings.hashSeed(), key))
        .cells(unitVector);
  }

  /** A space as one string: provider, model, dimensions and instruction. */
  static String spaceKey(ModelSpace space) {
    return space.getProvider() + '/' + space.getModel() + '/' + space.getDimensions() + '/'
        + space.getInstruction();
  }
}
