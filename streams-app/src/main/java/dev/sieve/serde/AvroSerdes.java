package dev.sieve.serde;

import dev.sieve.config.SieveConfig;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Utils;

/**
 * Makes the serdes of Sieve's Avro topics from the class named by {@code sieve.serde.class}
 * ({@link SpecificAvroSerde} by default; Confluent's own SpecificAvroSerde is a drop-in), configured
 * with the registry settings.
 */
public final class AvroSerdes {

  private final Class<?> serdeClass;
  private final Map<String, Object> config;

  public AvroSerdes(Class<?> serdeClass, Map<String, Object> config) {
    if (!Serde.class.isAssignableFrom(serdeClass)) {
      throw new ConfigException(SieveConfig.SERDE_CLASS, serdeClass.getName(),
          "must implement " + Serde.class.getName());
    }
    this.serdeClass = serdeClass;
    this.config = Map.copyOf(config);
  }

  public static AvroSerdes from(SieveConfig config) {
    return new AvroSerdes(config.getClass(SieveConfig.SERDE_CLASS), config.serdeConfig());
  }

  /**
   * A configured value serde for records of {@code type}: a record whose schema names another
   * type is refused as {@code wrong-record-type} ({@value SpecificAvroSerdeConfig#VALUE_TYPE}, the key
   * Confluent's serde reads too).
   */
  @SuppressWarnings("unchecked")
  public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
    Serde<T> serde = (Serde<T>) Utils.newInstance(serdeClass);
    Map<String, Object> typed = new java.util.HashMap<>(config);
    typed.put(SpecificAvroSerdeConfig.VALUE_TYPE, type);
    serde.configure(typed, false);
    return serde;
  }
}
