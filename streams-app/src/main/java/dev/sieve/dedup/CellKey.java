package dev.sieve.dedup;

/**
 * One cell of the index: the events of one scope and model space whose vectors hash to
 * {@code cell}. Also the routing key of the cell's repartition topic, so a cell lives in exactly
 * one partition and is processed one event at a time.
 */
public record CellKey(String scope, String space, int cell) {

  /** The key as stored and routed: fields separated by NUL, which scopes and spaces never contain. */
  public String encoded() {
    return scope + '\0' + space + '\0' + cell;
  }
}
