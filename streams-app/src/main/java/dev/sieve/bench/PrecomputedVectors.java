package dev.sieve.bench;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.dedup.IndexSeed;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.UnembeddableContentException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A provider whose vectors cost nothing: the pipeline's cost without a model. A text's vector is
 * the pseudo-random unit vector {@link IndexSeed#vector} of a hash of the text, so different texts
 * are unrelated (cosine near 0) and equal texts equal. The text {@code copy of seeded-<i>} gets a
 * near duplicate (cosine about 0.97) of the pre-filled index's item {@code i}, which shows that
 * the pre-filled index is the one events are compared with.
 */
final class PrecomputedVectors implements EmbeddingProvider {

  private static final Pattern SEEDED_COPY = Pattern.compile("copy of seeded-(\\d+)");

  private final int dimensions;
  private final long indexSeed;

  /**
   * @param indexSeed the seed the pre-filled index was made with ({@link IndexSeed#write})
   */
  PrecomputedVectors(int dimensions, long indexSeed) {
    this.dimensions = dimensions;
    this.indexSeed = indexSeed;
  }

  @Override
  public ModelSpace space() {
    return ModelSpace.newBuilder().setProvider("precomputed").setModel("seeded-gaussian")
        .setDimensions(dimensions).setInstruction("").build();
  }

  @Override
  public EmbeddingInput prepare(List<MediaPart> parts, Map<String, String> attributes) {
    StringBuilder text = new StringBuilder();
    parts.stream().filter(part -> part.getText() != null).forEach(part -> text.append(part.getText()));
    if (text.isEmpty()) {
      throw new UnembeddableContentException("unsupported-modality-for-provider", "the precomputed provider reads text only");
    }
    return new Text(text.toString());
  }

  @Override
  public List<Embedding> embed(List<EmbeddingInput> inputs) {
    return inputs.stream().map(input -> new Embedding(vector(((Text) input).text()), false)).toList();
  }

  float[] vector(String text) {
    Matcher copy = SEEDED_COPY.matcher(text);
    if (copy.matches()) {
      float[] original = IndexSeed.vector(indexSeed, Integer.parseInt(copy.group(1)), dimensions);
      float[] noise = IndexSeed.vector(fnv(text), 0, dimensions);
      float[] near = new float[dimensions];
      for (int d = 0; d < dimensions; d++) {
        near[d] = original[d] + 0.25f * noise[d];
      }
      return near;
    }
    return IndexSeed.vector(fnv(text), 0, dimensions);
  }

  @Override
  public void close() {}

  private static long fnv(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  private record Text(String text) implements EmbeddingInput {}
}
