package dev.sieve.classify;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.ModerationResult;

/** What the classifier made of one embedded event: its category and its moderation verdict. */
public record Classification(CategoryResult category, ModerationResult moderation) {}
