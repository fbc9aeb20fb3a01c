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
  public static final String VALUE_TYPE = "specific.avro.value.type";

  /** Every setting of the serde; the connectors embed it in their own definitions. */
  public static final ConfigDef DEFINITION = new ConfigDef(SchemaRegistryClientConfig.DEFINITION)
      .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
          new NonEmptyStringWithoutControlChars(), Importance.HIGH,
          "The schema registry: http(s)://host:port[/path] of a Confluent-compatible server, "
              + "or mem://<scope> for the in-process registry.")
      .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
          "Register a record's schema when serializing; when false, the schema must already be "
              + "registered under the subject.")
      .define(VALUE_TYPE, Type.CLASS, null, Importance.LOW,
          "The SpecificRecord class a value deserializer reads; a record whose writer schema names "
              + "another class is refused as wrong-record-type. Unset: any class the schema names.");

  public SpecificAvroSerdeConfig(Map<String, ?> originals) {
    super(DEFINITION, originals, false);
  }

  public String schemaRegistryUrl() {
    return getString(SCHEMA_REGISTRY_URL);
  }

  /** The class values must be, or null for any. */
  public Class<?> valueType() {
    return getClass(VALUE_TYPE);
  }

  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS);
  }
}
