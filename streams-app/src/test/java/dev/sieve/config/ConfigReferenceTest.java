package dev.sieve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration reference is generated from the definitions; it must not drift. */
class ConfigReferenceTest {

  @Test
  void theReadmeCarriesTheCurrentSettingsReference() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    assertThat(readme)
        .as("README.md is out of date: paste the output of `./sieve config` into 'Configuration reference'")
        .contains(SieveConfig.markdownTable());
  }
}
