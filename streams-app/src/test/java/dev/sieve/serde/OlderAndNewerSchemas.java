package dev.sieve.serde;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecordBuilder;

/** Other versions of MediaEvent's schema, as producers on older or newer releases write it. */
final class OlderAndNewerSchemas {
  static final long OCCURRED_AT_MILLIS = SampleRecords.OCCURRED_AT.toEpochMilli();

  private OlderAndNewerSchemas() {}

  /** MediaEvent as it would have been before the named fields were added. */
  static Schema mediaEventWithout(String... removed) {
    List<Field> fields = new ArrayList<>();
    for (Field field : MediaEvent.getClassSchema().getFields()) {
      if (!List.of(removed).contains(field.name())) {
        fields.add(new Field(field, field.schema()));
      }
    }
    return record(fields);
  }

  /** MediaEvent of a later release that added {@code language} (default "en"). */
  static Schema mediaEventWithLanguage() {
    List<Field> fields = new ArrayList<>();
    for (Field field : MediaEvent.getClassSchema().getFields()) {
      fields.add(new Field(field, field.schema()));
    }
    fields.add(new Field("language", Schema.create(Schema.Type.STRING), null, "en"));
    return record(fields);
  }

  /** A text-only event of {@code schema}, filling only the fields it has. */
  static GenericData.Record textEvent(Schema schema) {
    Map<String, Object> values = Map.of(
        "id", "evt-0",
        "occurredAt", OCCURRED_AT_MILLIS,
        "source", "legacy-uploader",
        "scope", "tenant-b",
        "parts", List.of(new GenericRecordBuilder(MediaPart.getClassSchema()).set("text", "hello").build()),
        "language", "de");
    GenericRecordBuilder event = new GenericRecordBuilder(schema);
    values.forEach((field, value) -> {
      if (schema.getField(field) != null) {
        event.set(field, value);
      }
    });
    return event.build();
  }

  /** What {@link #textEvent} reads as with the current schema, where the defaults fill the gaps. */
  static MediaEvent textEventAsCurrent() {
    return MediaEvent.newBuilder()
        .setId("evt-0")
        .setOccurredAt(SampleRecords.OCCURRED_AT)
        .setSource("legacy-uploader")
        .setScope(null)
        .setParts(List.of(MediaPart.newBuilder().setText("hello").build()))
        .setAttributes(Map.of())
        .build();
  }

  private static Schema record(List<Field> fields) {
    Schema current = MediaEvent.getClassSchema();
    Schema schema = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false);
    schema.setFields(fields);
    return schema;
  }
}
