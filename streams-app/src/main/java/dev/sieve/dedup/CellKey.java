package dev.sieve.dedup;

/**
 * One cell of the index: the events of one scope and model space whose vectors hash to
 * {@code cell}, or, when {@code band >= 0}, a band bucket: the texts whose {@link LexicalBands}
 * value at index {@code band} is {@code cell}. Also the routing key of the cell's repartition
 * topic, so a cell lives in exactly one partition and is processed one event at a time.
 */
public record CellKey(String scope, String space, int band, int cell) {

  /** A SimHash cell. */
  public CellKey(String scope, String space, int cell) {
    this(scope, space, -1, cell);
  }

  /** Whether this is a band bucket (texts, decided on Jaccard alone) rather than a SimHash cell. */
  public boolean isBand() {
    return band >= 0;
  }

  /** The key as stored and routed: fields separated by NUL, which scopes and spaces never contain. */
  public String encoded() {
    return isBand()
        ? scope + '\0' + space + '\0' + "band" + band + '\0' + cell
        : scope + '\0' + space + '\0' + cell;
  }
}
