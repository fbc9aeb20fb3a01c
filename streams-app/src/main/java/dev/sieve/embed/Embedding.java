package dev.sieve.embed;

/**
 * One content's vector.
 *
 * @param vector L2-normalised
 * @param truncated the content exceeded the model's input limit and only its beginning was embedded
 */
public record Embedding(float[] vector, boolean truncated) {}
