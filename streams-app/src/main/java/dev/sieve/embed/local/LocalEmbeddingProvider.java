package dev.sieve.embed.local;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import java.util.List;
import java.util.Map;

/**
 * Provider {@code local}: all-MiniLM-L6-v2 (quantized) run in-process with ONNX Runtime, from
 * files shipped in a Maven artifact, with no network access. Text only: see {@link
 * LocalTextExtractor} for what text a content contributes.
 *
 * <p>Inputs longer than 256 word pieces (the sequence length the model was trained with, special
 * tokens included) are truncated to their first 256 and their {@link Embedding#truncated()} is
 * {@code true}.
 *
 * <p>Each input is its own inference, so a content's vector is bit-identical whatever else is in
 * the {@link #embed} list. {@link #embed} may be called from several threads at once.
 */
public final class LocalEmbeddingProvider implements EmbeddingProvider {

  public static final String PROVIDER = "local";
  public static final String MODEL = "all-MiniLM-L6-v2-q";
  /** The classpath resource of the model's tokenizer, its vocabulary included. */
  public static final String TOKENIZER_RESOURCE = MiniLmModel.TOKENIZER_RESOURCE;

  private final LocalTextExtractor extractor;
  private final MiniLmModel model;

  /**
   * Loads the model and tokenizer from the classpath.
   *
   * @throws IllegalStateException when the model files are missing or cannot be loaded
   */
  public LocalEmbeddingProvider(LocalModelSettings settings) {
    this(settings, MiniLmModel.MODEL_RESOURCE);
  }

  LocalEmbeddingProvider(LocalModelSettings settings, String modelResource) {
    this.extractor = new LocalTextExtractor(settings);
    this.model = new MiniLmModel(modelResource, MiniLmModel.TOKENIZER_RESOURCE, settings.intraOpThreads());
  }

  /** {@code local / all-MiniLM-L6-v2-q / 384}, no instruction; a new copy on each call. */
  @Override
  public ModelSpace space() {
    return ModelSpace.newBuilder()
        .setProvider(PROVIDER)
        .setModel(MODEL)
        .setDimensions(MiniLmModel.DIMENSIONS)
        .setInstruction("")
        .build();
  }

  /** The content's text; see {@link LocalTextExtractor#textOf} for the reason codes. */
  @Override
  public EmbeddingInput prepare(List<MediaPart> parts, Map<String, String> attributes) {
    return new LocalText(extractor.textOf(parts, attributes));
  }

  /** @throws IllegalArgumentException for an input prepared by another provider */
  @Override
  public List<Embedding> embed(List<EmbeddingInput> inputs) {
    return inputs.stream().map(input -> model.embed(textOf(input))).toList();
  }

  @Override
  public void close() {
    model.close();
  }

  private static String textOf(EmbeddingInput input) {
    if (input instanceof LocalText local) {
      return local.text();
    }
    throw new IllegalArgumentException(
        "input was not prepared by the local provider: " + input.getClass().getName());
  }

  /** The text of one content, as the model reads it. */
  private record LocalText(String text) implements EmbeddingInput {}
}
