package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** The Avro serde is chosen by {@code sieve.serde.class}, so another implementation can replace Sieve's. */
class AvroSerdesTest {

  /** Stands in for a third-party serde (e.g. Confluent's): remembers how it was configured. */
  public static final class RecordingSerde<T> extends Serdes.WrapperSerde<T> {
    Map<String, Object> configs;
    boolean isKey;

    public RecordingSerde() {
      super(null, null);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
      this.configs = Map.copyOf(configs);
      this.isKey = isKey;
    }
  }

  private static SieveConfig config(Map<String, String> extra) {
    return new ConfigSources().defaults(Map.of("bootstrap.servers", "x:1", SieveConfig.REGISTRY_URL, "http://registry:8081"))
        .flags(extra).toConfig();
  }

  @Test
  void sievesOwnSerdeIsTheDefault() {
    assertThat(AvroSerdes.from(config(Map.of())).valueSerde(EmbeddedMedia.class)).isInstanceOf(SpecificAvroSerde.class);
  }

  @Test
  void theConfiguredClassIsInstantiatedAndGetsTheRegistrySettingsInConfluentsNames() {
    Serde<EmbeddedMedia> serde = AvroSerdes.from(config(Map.of(
        SieveConfig.SERDE_CLASS, RecordingSerde.class.getName(),
        SieveConfig.REGISTRY_AUTO_REGISTER, "false"))).valueSerde(EmbeddedMedia.class);

    assertThat(serde).isInstanceOf(RecordingSerde.class);
    RecordingSerde<?> recording = (RecordingSerde<?>) serde;
    assertThat(recording.isKey).isFalse();
    assertThat(recording.configs)
        .containsEntry("schema.registry.url", "http://registry:8081")
        .containsEntry("auto.register.schemas", false);
  }

  @Test
  void aValueSerdeRefusesARecordOfAnotherTypeWithAPreciseReason() {
    AvroSerdes serdes = AvroSerdes.from(new ConfigSources().defaults(Map.of("bootstrap.servers", "x:1",
        SieveConfig.REGISTRY_URL, HandEncoded.freshMemUrl())).toConfig());
    byte[] event = serdes.valueSerde(dev.sieve.avro.MediaEvent.class).serializer()
        .serialize("media.events", SampleRecords.mediaEvent());
    var embeddings = serdes.valueSerde(EmbeddedMedia.class).deserializer();

    assertThatThrownBy(() -> embeddings.deserialize("media.embeddings", event))
        .isInstanceOfSatisfying(RecordDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(RecordDecodingException.WRONG_RECORD_TYPE))
        .hasMessageContaining("dev.sieve.avro.MediaEvent").hasMessageContaining("not a dev.sieve.avro.EmbeddedMedia");
  }

  @Test
  void aClassThatIsNotASerdeIsAConfigurationError() {
    assertThatThrownBy(() -> AvroSerdes.from(config(Map.of(SieveConfig.SERDE_CLASS, String.class.getName()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.SERDE_CLASS);
    assertThatThrownBy(() -> config(Map.of(SieveConfig.SERDE_CLASS, "com.example.Missing")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.SERDE_CLASS);
  }
}
