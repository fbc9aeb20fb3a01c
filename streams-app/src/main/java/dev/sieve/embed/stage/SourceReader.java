package dev.sieve.embed.stage;

import dev.sieve.topology.Outcome.Source;
import java.util.Optional;

/**
 * Reads input records back by their coordinates. The embed stage stores large values by reference
 * and re-reads them after a restore, before they are embedded again.
 */
public interface SourceReader extends AutoCloseable {

  /** The value of the record at {@code source}, or empty when the topic no longer holds it. */
  Optional<byte[]> value(Source source);

  @Override
  void close();

  /** Opens a reader for one restore; it is closed when the restore is done. */
  @FunctionalInterface
  interface Factory {
    SourceReader open();
  }
}
