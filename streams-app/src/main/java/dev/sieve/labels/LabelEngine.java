package dev.sieve.labels;

import dev.sieve.config.SieveConfig;
import dev.sieve.embed.EmbeddingProvider;
import java.time.Clock;
import java.time.Duration;

/**
 * What the topology needs to compile labels and classify with them in one instance: the compiler
 * (with the service's embedding provider), the catalog of compiled labels that the classifier reads,
 * and how often the compiler checks that every label is compiled for the current model.
 */
public record LabelEngine(LabelCompiler compiler, CentroidCatalog catalog, Duration checkInterval) {

  public static LabelEngine from(SieveConfig config, EmbeddingProvider provider) {
    return new LabelEngine(new LabelCompiler(provider, Clock.systemUTC()), new CentroidCatalog(),
        Duration.ofMillis(config.getLong(SieveConfig.LABELS_CHECK_INTERVAL_MS)));
  }
}
