package dev.sieve.classify;

import dev.sieve.avro.ModelSpace;
import java.util.Map;

/** The labels a classifier uses, one {@link PrototypeIndex} per model space. Immutable. */
public record LabelSnapshot(Map<ModelSpace, PrototypeIndex> bySpace) {

  public static final LabelSnapshot EMPTY = new LabelSnapshot(Map.of());

  public LabelSnapshot {
    bySpace = Map.copyOf(bySpace);
  }

  /** The index of {@code space}, or null when no label is compiled for it. */
  public PrototypeIndex index(ModelSpace space) {
    return bySpace.get(space);
  }
}
