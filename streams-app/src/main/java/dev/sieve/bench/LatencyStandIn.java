package dev.sieve.bench;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.embed.Embedding;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.ProviderUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a remote model in benchmarks: every {@link #embed} call takes a fixed latency,
 * whatever its size, like one HTTP round trip, and returns a cheap vector derived from the text.
 * It measures what the embed stage makes of a slow remote call, not a model. While {@link
 * #outage} is on, calls fail as unavailable after the latency.
 */
final class LatencyStandIn implements EmbeddingProvider {

  private final Duration latency;
  private final int dimensions;
  private final int maxBatchSize;
  private final AtomicLong calls = new AtomicLong();
  private volatile boolean outage;

  LatencyStandIn(Duration latency, int dimensions, int maxBatchSize) {
    this.latency = latency;
    this.dimensions = dimensions;
    this.maxBatchSize = maxBatchSize;
  }

  /** Makes every call fail ({@link ProviderUnavailableException}) until turned off. */
  void outage(boolean on) {
    this.outage = on;
  }

  long calls() {
    return calls.get();
  }

  @Override
  public ModelSpace space() {
    return ModelSpace.newBuilder().setProvider("stand-in").setModel("latency-" + latency.toMillis() + "ms")
        .setDimensions(dimensions).setInstruction("").build();
  }

  @Override
  public EmbeddingInput prepare(List<MediaPart> parts, Map<String, String> attributes) {
    StringBuilder text = new StringBuilder();
    parts.forEach(part -> text.append(part.getText()));
    return new Text(text.toString());
  }

  @Override
  public List<Embedding> embed(List<EmbeddingInput> inputs) {
    calls.incrementAndGet();
    try {
      Thread.sleep(latency.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException("interrupted", null, e);
    }
    if (outage) {
      throw new ProviderUnavailableException("stand-in outage", Duration.ofSeconds(1), null);
    }
    return inputs.stream().map(input -> new Embedding(vector(((Text) input).text()), false)).toList();
  }

  @Override
  public int maxBatchSize() {
    return maxBatchSize;
  }

  @Override
  public void close() {}

  private float[] vector(String text) {
    float[] vector = new float[dimensions];
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      vector[i % dimensions] += bytes[i];
    }
    vector[0] += 1;
    double norm = 0;
    for (float v : vector) {
      norm += v * v;
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimensions; i++) {
      vector[i] *= scale;
    }
    return vector;
  }

  private record Text(String text) implements EmbeddingInput {}
}
