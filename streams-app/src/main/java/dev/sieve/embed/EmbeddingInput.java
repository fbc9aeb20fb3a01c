package dev.sieve.embed;

/** A content converted for one provider by {@link EmbeddingProvider#prepare}. */
public interface EmbeddingInput {}
