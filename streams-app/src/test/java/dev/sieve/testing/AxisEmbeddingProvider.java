package dev.sieve.testing;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.UnembeddableContentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider whose vectors a test chooses: the text {@code "v:1,0.5,0"} embeds to that vector,
 * normalised and padded with zeros; other text to a fixed pseudo-random unit vector of its hash.
 * Parts without text cannot be embedded.
 */
public final class AxisEmbeddingProvider implements EmbeddingProvider {

  private record Text(String text) implements EmbeddingInput {}

  private final ModelSpace space;
  private final AtomicInteger embedded = new AtomicInteger();

  public AxisEmbeddingProvider(String model, int dimensions) {
    this.space = new ModelSpace("axis", model, dimensions, "");
  }

  /** The embedding of {@code "v:..."} text, for assertions. */
  public static float[] vector(int dimensions, float... values) {
    float[] vector = new float[dimensions];
    double norm = 0;
    for (float v : values) {
      norm += v * v;
    }
    for (int i = 0; i < values.length; i++) {
      vector[i] = (float) (values[i] / Math.sqrt(norm));
    }
    return vector;
  }

  public int embedded() {
    return embedded.get();
  }

  @Override
  public ModelSpace space() {
    return space;
  }

  @Override
  public EmbeddingInput prepare(List<MediaPart> parts, Map<String, String> attributes) {
    StringBuilder text = new StringBuilder();
    for (MediaPart part : parts) {
      if (part.getText() == null) {
        throw new UnembeddableContentException("unsupported-modality-for-provider",
            "the axis provider reads text only, not " + part.getMimeType());
      }
      text.append(part.getText());
    }
    return new Text(text.toString());
  }

  @Override
  public List<Embedding> embed(List<EmbeddingInput> inputs) {
    List<Embedding> out = new ArrayList<>();
    for (EmbeddingInput input : inputs) {
      embedded.incrementAndGet();
      out.add(new Embedding(embedText(((Text) input).text()), false));
    }
    return out;
  }

  private float[] embedText(String text) {
    int dimensions = space.getDimensions();
    if (text.startsWith("v:")) {
      String[] parts = text.substring(2).split(",");
      float[] values = new float[parts.length];
      for (int i = 0; i < parts.length; i++) {
        values[i] = Float.parseFloat(parts[i].trim());
      }
      return vector(dimensions, values);
    }
    Random random = new Random(text.hashCode());
    float[] values = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return vector(dimensions, values);
  }

  @Override
  public void close() {}
}
