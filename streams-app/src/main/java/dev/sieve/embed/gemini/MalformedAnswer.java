package dev.sieve.embed.gemini;

/** An answer that cannot be turned into vectors: retried, then the batch is rejected (see {@link GeminiEmbeddingProvider}). */
final class MalformedAnswer extends RuntimeException {
  MalformedAnswer(String message) {
    super(message);
  }
}
