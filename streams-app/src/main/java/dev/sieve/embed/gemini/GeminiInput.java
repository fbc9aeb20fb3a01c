package dev.sieve.embed.gemini;

import com.google.genai.types.Content;
import dev.sieve.embed.EmbeddingInput;

/**
 * One content ready for the API.
 *
 * @param content the parts sent: the instruction text first, then media in event order
 * @param text the instruction text, on its own when the content has no media (such inputs share
 *     one request: see {@link GeminiEmbeddingProvider#embed})
 * @param textOnly no media parts
 * @param estimatedTokens what the rate limiter charges (see {@link GeminiContents})
 * @param truncated the text was cut to the model's token limit
 */
record GeminiInput(Content content, String text, boolean textOnly, int estimatedTokens, boolean truncated)
    implements EmbeddingInput {}
