package dev.sieve.serde;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyStringWithoutControlChars;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Settings of {@link SpecificAvroSerde}, with the keys of Confluent's serde; the registry client's
 * own settings are those of {@link SchemaRegistryClientConfig}.
 */
public final class SpecificAvroSerdeConfig extends AbstractConfig {
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  /** Every setting of the serde; the connectors embed it in their own definitions. */
  public static final ConfigDef DEFINITION = new ConfigDef(SchemaRegistryClientConfig.DEFINITION)
      .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
          new NonEmptyStringWithoutControlChars(), Importance.HIGH,
          "The schema registry: http(s)://host:port[/path] of a Confluent-compatible server, "
              + "or mem://<scope> for the in-process registry.")
      .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
          "Register a record's schema when serializing; when false, the schema must already be "
              + "registered under the subject.");

  public SpecificAvroSerdeConfig(Map<String, ?> originals) {
    super(DEFINITION, originals, false);
  }

  public String schemaRegistryUrl() {
    return getString(SCHEMA_REGISTRY_URL);
  }

  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS);
  }
}
