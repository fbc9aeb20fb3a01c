package dev.sieve.connect.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.connect.labels.LabelsSourceConnector;
import dev.sieve.connect.media.MediaSourceConnector;
import dev.sieve.connect.moderation.ModerationActionSinkConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.Test;

/** Every option is validated by its definition, and the README lists the definitions as they are. */
class ConnectorConfigTest {

  @Test
  void theReadmeCarriesTheCurrentConnectorOptions() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    assertThat(readme)
        .as("README.md is out of date: paste the output of dev.sieve.connect.config.ConfigReference into 'Connectors'")
        .contains(ConfigReference.markdown());
  }

  @Test
  void theMediaSourceNamesEachInvalidOption() {
    Map<String, List<String>> errors = errors(new MediaSourceConnector(), Map.of(
        "schema.registry.url", "mem://t", "include", "[", "inline.max.bytes", "-1", "sidecar.extensions", "xml"));

    assertThat(errors).containsOnlyKeys("directories", "include", "inline.max.bytes", "sidecar.extensions");
    assertThat(errors.get("directories")).containsExactly("Missing required configuration \"directories\" which has no default value.");
    assertThat(errors.get("include").get(0)).startsWith("Invalid value [ for configuration include: not a glob");
    assertThat(errors.get("inline.max.bytes")).containsExactly("Invalid value -1 for configuration inline.max.bytes: Value must be at least 0");
    assertThat(errors.get("sidecar.extensions")).containsExactly("Invalid value xml for configuration sidecar.extensions: must be one of [JSON, TXT]");
  }

  @Test
  void theSinkNamesEachInvalidOption() {
    Map<String, List<String>> errors = errors(new ModerationActionSinkConnector(), Map.of(
        "schema.registry.url", "mem://t", "topics", "media.moderation", "webhook.url", "ftp://example.com/x",
        "verdicts", "BLOCK,NUKE", "rate.limit.per.second", "-2"));

    assertThat(errors).containsOnlyKeys("webhook.url", "webhook.secret", "verdicts", "rate.limit.per.second");
    assertThat(errors.get("webhook.url")).containsExactly(
        "Invalid value ftp://example.com/x for configuration webhook.url: must be an http:// or https:// URL with a host");
    assertThat(errors.get("verdicts")).containsExactly(
        "Invalid value NUKE for configuration verdicts: must be one of [ALLOW, BLOCK, REVIEW]");
  }

  @Test
  void theLabelsSourceNeedsItsDirectoryAndARegistry() {
    Map<String, List<String>> errors = errors(new LabelsSourceConnector(), Map.of("poll.interval.ms", "1"));

    assertThat(errors).containsOnlyKeys("directory", "schema.registry.url", "poll.interval.ms");
  }

  /** Option → its error messages, for the options that have any. */
  private static Map<String, List<String>> errors(Connector connector, Map<String, String> config) {
    return connector.validate(config).configValues().stream()
        .filter(v -> !v.errorMessages().isEmpty())
        .collect(java.util.stream.Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }
}
