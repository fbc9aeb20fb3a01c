package dev.sieve.connect.config;

import dev.sieve.connect.labels.LabelsSourceConfig;
import dev.sieve.connect.media.MediaSourceConfig;
import dev.sieve.connect.moderation.ModerationActionSinkConfig;
import dev.sieve.serde.SpecificAvroSerdeConfig;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.types.Password;

/**
 * The README's reference of every connector option, generated from the definitions themselves:
 * {@code java -cp ... dev.sieve.connect.config.ConfigReference} prints it; a test fails when the
 * README differs.
 */
public final class ConfigReference {

  private ConfigReference() {}

  /** Connector class name → its definition, in README order. */
  public static Map<String, ConfigDef> definitions() {
    Map<String, ConfigDef> all = new LinkedHashMap<>();
    all.put("MediaSourceConnector", MediaSourceConfig.DEFINITION);
    all.put("ModerationActionSinkConnector", ModerationActionSinkConfig.DEFINITION);
    all.put("LabelsSourceConnector", LabelsSourceConfig.DEFINITION);
    return all;
  }

  /**
   * The schema registry settings every connector shares, then each connector's own options, each
   * table under a fourth-level heading.
   */
  public static String markdown() {
    Set<String> registry = SpecificAvroSerdeConfig.DEFINITION.names();
    return "#### Schema registry (every connector)\n\n" + table(SpecificAvroSerdeConfig.DEFINITION, k -> true)
        + definitions().entrySet().stream()
            .map(e -> "\n#### " + e.getKey() + "\n\n" + table(e.getValue(), k -> !registry.contains(k.name)))
            .collect(Collectors.joining());
  }

  /** One Markdown table of the selected options: group, key, type, default, valid values, description. */
  private static String table(ConfigDef definition, Predicate<ConfigKey> selected) {
    StringBuilder out = new StringBuilder("| Group | Key | Type | Default | Valid values | Description |\n")
        .append("| --- | --- | --- | --- | --- | --- |\n");
    for (ConfigKey key : ordered(definition).stream().filter(selected).toList()) {
      out.append("| ").append(key.group == null ? "Registry" : key.group)
          .append(" | `").append(key.name).append("` | ")
          .append(key.type.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
          .append(defaultOf(key)).append(" | ")
          .append(key.validator == null ? "" : cell(key.validator.toString())).append(" | ")
          .append(cell(key.documentation)).append(" |\n");
    }
    return out.toString();
  }

  /** The connector's own groups in definition order, then the registry settings by name. */
  private static List<ConfigKey> ordered(ConfigDef definition) {
    List<String> groups = definition.groups();
    return definition.configKeys().values().stream()
        .sorted(Comparator.<ConfigKey>comparingInt(k -> k.group == null ? groups.size() : groups.indexOf(k.group))
            .thenComparingInt(k -> k.orderInGroup)
            .thenComparing(k -> k.name))
        .toList();
  }

  private static String defaultOf(ConfigKey key) {
    if (!key.hasDefault()) {
      return "(required)";
    }
    Object value = key.defaultValue;
    if (value == null || value instanceof Password) {
      return value == null ? "" : "(hidden)";
    }
    String text = value instanceof List<?> list
        ? list.stream().map(String::valueOf).collect(Collectors.joining(","))
        : String.valueOf(value);
    return text.isEmpty() ? "\"\"" : "`" + text + "`";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  public static void main(String[] args) {
    System.out.print(markdown());
  }
}
