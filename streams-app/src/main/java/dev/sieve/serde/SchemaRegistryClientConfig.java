package dev.sieve.serde;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * How {@link RestSchemaRegistry} talks to its server, read from a Kafka-style config map with
 * Confluent's key names so the same map configures either serde.
 */
public final class SchemaRegistryClientConfig extends AbstractConfig {
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String MAX_RETRIES = "max.retries";
  public static final String RETRIES_WAIT_MS = "retries.wait.ms";

  static final ConfigDef DEFINITION = new ConfigDef()
      .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
          "HTTP basic auth credentials for the schema registry as 'user:password'.")
      .define(CONNECT_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
          "How long to wait for a connection to the schema registry.")
      .define(READ_TIMEOUT_MS, Type.INT, 30_000, Range.atLeast(1), Importance.LOW,
          "How long to wait for the schema registry's answer to one request.")
      .define(MAX_RETRIES, Type.INT, 2, Range.atLeast(0), Importance.LOW,
          "How often a request is retried when the schema registry is unreachable.")
      .define(RETRIES_WAIT_MS, Type.INT, 200, Range.atLeast(0), Importance.LOW,
          "Wait before the first retry; doubled for each further retry.");

  public SchemaRegistryClientConfig(Map<String, ?> originals) {
    super(DEFINITION, originals, false);
  }

  /** The {@code user:password} of basic auth, if set. */
  public Optional<String> basicAuthUserInfo() {
    return Optional.ofNullable(getPassword(BASIC_AUTH_USER_INFO)).map(Password::value);
  }

  public Duration connectTimeout() {
    return Duration.ofMillis(getInt(CONNECT_TIMEOUT_MS));
  }

  public Duration readTimeout() {
    return Duration.ofMillis(getInt(READ_TIMEOUT_MS));
  }

  public int maxRetries() {
    return getInt(MAX_RETRIES);
  }

  public Duration retryWait() {
    return Duration.ofMillis(getInt(RETRIES_WAIT_MS));
  }
}
