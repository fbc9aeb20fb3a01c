package dev.sieve.embed;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.ModelSpace;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Embeds one event with the configured provider into an {@link EmbeddedMedia} in the provider's
 * model space.
 */
public final class EventEmbedder {

  private final EmbeddingProvider provider;
  private final LongAdder embedded = new LongAdder();
  private final LongAdder embedNanos = new LongAdder();

  public EventEmbedder(EmbeddingProvider provider) {
    this.provider = provider;
  }

  /**
   * @throws UnembeddableContentException when the provider cannot take the content
   */
  public EmbeddedMedia embed(MediaEvent event) {
    EmbeddingInput input = provider.prepare(event.getParts(), event.getAttributes());
    long start = System.nanoTime();
    Embedding embedding = provider.embed(List.of(input)).get(0);
    embedNanos.add(System.nanoTime() - start);
    embedded.increment();
    return embeddedMedia(event, provider.space(), embedding, ContentHash.of(event.getParts(), event.getAttributes()));
  }

  /**
   * The output record of an event whose content hashes to {@code contentHash} and embedded so,
   * with the {@link LexicalSignature} of its text when it is text only and the event's attributes
   * (bounded with the whole event by {@code sieve.event.max.bytes}).
   */
  public static EmbeddedMedia embeddedMedia(MediaEvent event, ModelSpace space, Embedding embedding, String contentHash) {
    return embeddedMedia(event, space, embedding, contentHash,
        LexicalSignature.ofContent(event.getParts(), event.getAttributes()));
  }

  /** As above, with the content's {@link LexicalSignature} already computed (or null: it has none). */
  public static EmbeddedMedia embeddedMedia(MediaEvent event, ModelSpace space, Embedding embedding, String contentHash,
      List<Integer> lexicalSignature) {
    return EmbeddedMedia.newBuilder()
        .setId(event.getId())
        .setOccurredAt(event.getOccurredAt())
        .setScope(event.getScope())
        .setSpace(space)
        .setVector(asList(embedding.vector()))
        .setContentHash(contentHash)
        .setTruncated(embedding.truncated())
        .setLexicalSignature(lexicalSignature)
        .setAttributes(event.getAttributes())
        .build();
  }

  /** Events embedded so far and the time spent in the model for them. */
  public EmbedTotals totals() {
    return new EmbedTotals(embedded.sum(), embedded.sum(), embedNanos.sum());
  }

  /** Model-only throughput figures, for reports: events embedded, in how many calls, and the time the calls took. */
  public record EmbedTotals(long events, long calls, long nanos) {
    public double eventsPerSecond() {
      return nanos == 0 ? 0 : events * 1e9 / nanos;
    }
  }

  private static List<Float> asList(float[] vector) {
    Float[] boxed = new Float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      boxed[i] = vector[i];
    }
    return List.of(boxed);
  }
}
