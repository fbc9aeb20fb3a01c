package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Data written with another compatible version of a schema is read into the current class. */
class SchemaResolutionTest {
  private final String url = HandEncoded.freshMemUrl();
  private final SchemaRegistry registry = SchemaRegistries.forUrl(url, Map.of());
  private final SpecificAvroDeserializer<MediaEvent> deserializer = new SpecificAvroDeserializer<>();

  {
    deserializer.configure(Map.of("schema.registry.url", url), false);
  }

  @Test
  void anEventWrittenBeforeScopeAndAttributesExistedReadsWithTheirDefaults() {
    Schema older = OlderAndNewerSchemas.mediaEventWithout("scope", "attributes");
    int id = registry.register("media.events-value", older);

    MediaEvent read = deserializer.deserialize("media.events",
        HandEncoded.confluentBytes(id, older, OlderAndNewerSchemas.textEvent(older)));

    assertThat(read).isEqualTo(OlderAndNewerSchemas.textEventAsCurrent());
  }

  @Test
  void anEventWrittenWithANewerSchemaReadsWithoutTheFieldsItAdded() {
    Schema newer = OlderAndNewerSchemas.mediaEventWithLanguage();
    int id = registry.register("media.events-value", newer);

    MediaEvent read = deserializer.deserialize("media.events",
        HandEncoded.confluentBytes(id, newer, OlderAndNewerSchemas.textEvent(newer)));

    assertThat(read).isEqualTo(MediaEvent.newBuilder()
        .setId("evt-0")
        .setOccurredAt(SampleRecords.OCCURRED_AT)
        .setSource("legacy-uploader")
        .setScope("tenant-b")
        .setParts(List.of(MediaPart.newBuilder().setText("hello").build()))
        .setAttributes(Map.of())
        .build());
  }
}
