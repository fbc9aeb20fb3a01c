package dev.sieve.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * Collects properties from, in rising precedence: built-in defaults, a properties file,
 * environment variables and command-line flags.
 *
 * <p>Environment variables map onto property names the way Kafka's container images do:
 * {@code SIEVE_TOPIC_EVENTS} → {@code sieve.topic.events}, {@code KAFKA_BOOTSTRAP_SERVERS} →
 * {@code bootstrap.servers} (prefix {@code KAFKA_} dropped, lower case, {@code _} → {@code .}).
 * Variables ending in {@code _OPTS}, {@code SIEVE_HOME}, {@code SIEVE_DEBUG}, {@code KAFKA_DEBUG} and
 * {@code SIEVE_LOG_FORMAT} (read by the logging configuration) are left to the launcher.
 */
public final class ConfigSources {

  private static final Set<String> LAUNCHER_VARIABLES =
      Set.of("SIEVE_HOME", "SIEVE_DEBUG", "KAFKA_DEBUG", "SIEVE_LOG_FORMAT");

  private final Map<String, Object> properties = new LinkedHashMap<>();

  public ConfigSources defaults(Map<String, ?> defaults) {
    properties.putAll(defaults);
    return this;
  }

  public ConfigSources file(Path file) {
    if (file == null) {
      return this;
    }
    Properties loaded = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      loaded.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read properties file " + file + ": " + e.getMessage());
    }
    loaded.forEach((k, v) -> properties.put(k.toString(), v.toString().trim()));
    return this;
  }

  public ConfigSources environment(Map<String, String> env) {
    env.forEach((name, value) -> {
      String key = propertyName(name);
      if (key != null) {
        properties.put(key, value);
      }
    });
    return this;
  }

  /** Flags given on the command line; null values (flags not given) are ignored. */
  public ConfigSources flags(Map<String, ?> flags) {
    flags.forEach((k, v) -> {
      if (v != null) {
        properties.put(k, v);
      }
    });
    return this;
  }

  public Map<String, Object> properties() {
    return Map.copyOf(properties);
  }

  public SieveConfig toConfig() {
    return new SieveConfig(properties);
  }

  /** The property an environment variable sets, or null when it is not one of ours. */
  static String propertyName(String variable) {
    // Launcher variables (KAFKA_HEAP_OPTS, SIEVE_JAVA_OPTS, SIEVE_HOME, SIEVE_DEBUG, SIEVE_LOG_FORMAT)
    // configure the JVM, the command line's error output or the logging, not Sieve.
    if (variable.endsWith("_OPTS") || LAUNCHER_VARIABLES.contains(variable)) {
      return null;
    }
    if (variable.startsWith("SIEVE_") && variable.length() > "SIEVE_".length()) {
      return variable.toLowerCase(Locale.ROOT).replace('_', '.');
    }
    if (variable.startsWith("KAFKA_") && variable.length() > "KAFKA_".length()) {
      return variable.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }
    return null;
  }
}
