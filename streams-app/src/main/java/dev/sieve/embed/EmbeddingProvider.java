package dev.sieve.embed;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import java.util.List;
import java.util.Map;

/**
 * Turns media content into vectors of one {@link ModelSpace}. Content is first checked and
 * converted by {@link #prepare} (no model call; may resolve allow-listed URIs), then embedded in
 * batches by {@link #embed}. The same content gives the same vector whatever else is in the batch.
 *
 * <p>Both methods block and may be called from several threads at once; callers that must not
 * block (stream threads) run them on a worker pool. Failures come in three kinds: the content is
 * at fault ({@link UnembeddableContentException}, from {@code prepare}), the whole request was
 * refused for good ({@link BatchRejectedException}: the caller retries the inputs one by one to
 * find the culprit), or the provider cannot answer now ({@link ProviderUnavailableException}: the
 * caller retries later and must not drop anything).
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

  /**
   * One embedding per input, in order. Vectors are L2-normalised, {@code space().dimensions()} long.
   *
   * @throws BatchRejectedException when the provider refuses the request itself (e.g. HTTP 400)
   * @throws ProviderUnavailableException when it cannot answer now (throttled, down, timed out)
   */
  List<Embedding> embed(List<EmbeddingInput> inputs);

  /** Most inputs one {@link #embed} call takes. */
  default int maxBatchSize() {
    return 64;
  }

  @Override
  void close();
}
