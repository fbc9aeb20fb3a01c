package dev.sieve.embed;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import java.util.List;
import java.util.Map;

/**
 * Turns media content into vectors of one {@link ModelSpace}. Content is first checked and
 * converted by {@link #prepare} (cheap, no model call), then embedded in batches by {@link
 * #embed}. The same content gives the same vector whatever else is in the batch.
 */
public interface EmbeddingProvider extends AutoCloseable {

  /** The space every vector of this provider lives in. */
  ModelSpace space();

  /**
   * Converts one content (an event's parts and attributes, or a label example) into this
   * provider's input.
   *
   * @throws UnembeddableContentException with a stable reason code when the provider cannot
   *     embed it (e.g. {@code unsupported-modality-for-provider}); such content goes to the DLQ.
   */
  EmbeddingInput prepare(List<MediaPart> parts, Map<String, String> attributes);

  /** One embedding per input, in order. Vectors are L2-normalised, {@code space().dimensions()} long. */
  List<Embedding> embed(List<EmbeddingInput> inputs);

  @Override
  void close();
}
