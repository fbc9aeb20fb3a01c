package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.MediaEvent;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SpecificAvroSerdeTest {
  private static final String TOPIC = "media.events";

  private final String url = HandEncoded.freshMemUrl();
  private final InMemorySchemaRegistry registry = (InMemorySchemaRegistry) SchemaRegistries.forUrl(url, Map.of());

  @Test
  void aMediaEventRoundTripsWithBytesTextUriPartsAndAttributes() {
    SpecificAvroSerde<MediaEvent> serde = valueSerde(Map.of());
    MediaEvent event = SampleRecords.mediaEvent();

    MediaEvent read = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, event));

    assertThat(read).isEqualTo(event);
    assertThat(read.getParts().get(0).getData()).isEqualTo(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, -1}));
    assertThat(read.getAttributes()).containsExactlyInAnyOrderEntriesOf(Map.of("title", "Cat", "caption", "Sunday"));
  }

  @ParameterizedTest
  @MethodSource("dev.sieve.serde.SampleRecords#everyOtherRecord")
  void everyPublishedRecordRoundTrips(SpecificRecord record) {
    SpecificAvroSerde<SpecificRecord> serde = valueSerde(Map.of());

    assertThat(serde.deserializer().deserialize("results", serde.serializer().serialize("results", record)))
        .isEqualTo(record);
  }

  @Test
  void bytesAreMagicByteThenTheRegisteredIdThenTheAvroBody() {
    MediaEvent event = SampleRecords.mediaEvent();

    byte[] bytes = valueSerde(Map.of()).serializer().serialize(TOPIC, event);

    int id = registry.lookup("media.events-value", MediaEvent.getClassSchema());
    byte[] body = HandEncoded.avro(MediaEvent.getClassSchema(), event, SpecificData.getForClass(MediaEvent.class));
    assertThat(bytes).isEqualTo(HandEncoded.confluentBytes(id, body));
  }

  @Test
  void aKeySerdeRegistersUnderTheTopicKeySubject() {
    SpecificAvroSerde<MediaEvent> serde = new SpecificAvroSerde<>();
    serde.configure(config(Map.of()), true);

    serde.serializer().serialize(TOPIC, SampleRecords.mediaEvent());

    assertThat(registry.lookup("media.events-key", MediaEvent.getClassSchema())).isEqualTo(1);
  }

  @Test
  void aValueSerdeRegistersUnderTheTopicValueSubject() {
    valueSerde(Map.of()).serializer().serialize(TOPIC, SampleRecords.mediaEvent());

    assertThat(registry.lookup("media.events-value", MediaEvent.getClassSchema())).isEqualTo(1);
  }

  @Test
  void aTombstoneSerializesToNull() {
    assertThat(valueSerde(Map.of()).serializer().serialize(TOPIC, null)).isNull();
  }

  @Test
  void nullBytesDeserializeToATombstone() {
    assertThat(valueSerde(Map.of()).deserializer().deserialize(TOPIC, null)).isNull();
  }

  @Test
  void withoutAutoRegisterTheAlreadyRegisteredIdIsUsed() {
    registry.register("media.categories-value", SampleRecords.everyOtherRecord().get(1).getSchema());
    int id = registry.register("media.events-value", MediaEvent.getClassSchema());

    byte[] bytes = valueSerde(Map.of("auto.register.schemas", false)).serializer()
        .serialize(TOPIC, SampleRecords.mediaEvent());

    assertThat(WireFormat.schemaId(bytes)).isEqualTo(id).isEqualTo(2);
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaFailsNamingSubjectAndSetting() {
    SpecificAvroSerde<MediaEvent> serde = valueSerde(Map.of("auto.register.schemas", "false"));

    assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, SampleRecords.mediaEvent()))
        .isInstanceOf(SchemaNotRegisteredException.class)
        .hasMessage("schema dev.sieve.avro.MediaEvent is not registered under subject 'media.events-value' at "
            + url + "; auto.register.schemas is false, so register it first");
  }

  @Test
  void aMissingRegistryUrlIsAConfigExceptionNamingTheSetting() {
    SpecificAvroSerde<MediaEvent> serde = new SpecificAvroSerde<>();

    assertThatThrownBy(() -> serde.configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("\"schema.registry.url\"");
  }

  @Test
  void serdesInstantiatedByClassNameShareTheRegistryOfTheirMemScope() throws Exception {
    @SuppressWarnings("unchecked")
    Serde<MediaEvent> writing = Utils.newInstance(SpecificAvroSerde.class.getName(), Serde.class);
    @SuppressWarnings("unchecked")
    Serde<MediaEvent> reading = Utils.newInstance(SpecificAvroSerde.class.getName(), Serde.class);
    writing.configure(config(Map.of()), false);
    reading.configure(config(Map.of()), false);
    MediaEvent event = SampleRecords.mediaEvent();

    assertThat(reading.deserializer().deserialize(TOPIC, writing.serializer().serialize(TOPIC, event)))
        .isEqualTo(event);
  }

  private <T extends SpecificRecord> SpecificAvroSerde<T> valueSerde(Map<String, Object> settings) {
    SpecificAvroSerde<T> serde = new SpecificAvroSerde<>();
    serde.configure(config(settings), false);
    return serde;
  }

  private Map<String, Object> config(Map<String, Object> settings) {
    Map<String, Object> config = new HashMap<>(settings);
    config.put("schema.registry.url", url);
    return config;
  }
}
