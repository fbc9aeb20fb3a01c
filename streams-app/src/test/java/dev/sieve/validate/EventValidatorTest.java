package dev.sieve.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.deadletter.Rejection;
import dev.sieve.deadletter.Rejection.Stage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventValidatorTest {

  private final EventValidator validator = new EventValidator(new EventLimits(4, 100, 20));

  @Test
  void acceptsTextImageAndUriParts() {
    assertThat(validator.validate(event("e1",
        text("a photo of the harbour"),
        data(new byte[] {1, 2, 3}, "image/png"),
        uri("gs://bucket/clip.mp4", "video/mp4")))).isEmpty();
  }

  @Test
  void acceptsMimeTypesWithParametersAndAnyCase() {
    assertThat(validator.validate(event("e1", data(new byte[] {1}, "Image/PNG; foo=bar")))).isEmpty();
  }

  @Test
  void rejectsAnEventWithoutParts() {
    assertThat(reasonOf(event("e1"))).isEqualTo("no-parts");
  }

  @Test
  void rejectsAPartWithTwoPayloads() {
    MediaPart both = MediaPart.newBuilder().setText("caption").setUri("gs://b/p.png").setMimeType("image/png").build();
    Rejection rejection = validator.validate(event("e1", both)).orElseThrow();
    assertThat(rejection.reason()).isEqualTo("part-with-several-payloads");
    assertThat(rejection.message()).contains("part 0").contains("text and uri");
    assertThat(rejection.stage()).isEqualTo(Stage.VALIDATE);
  }

  @Test
  void rejectsAPartWithoutPayload() {
    assertThat(reasonOf(event("e1", MediaPart.newBuilder().setMimeType("image/png").build())))
        .isEqualTo("part-without-payload");
  }

  @Test
  void rejectsEmptyAndBlankText() {
    assertThat(reasonOf(event("e1", text("")))).isEqualTo("empty-text");
    assertThat(reasonOf(event("e1", text(" \n\t")))).isEqualTo("empty-text");
  }

  @Test
  void rejectsAnUnknownMimeTypeNamingIt() {
    Rejection rejection = validator.validate(event("e1", data(new byte[] {1}, "application/x-msdownload"))).orElseThrow();
    assertThat(rejection.reason()).isEqualTo("unsupported-mime-type");
    assertThat(rejection.message()).contains("application/x-msdownload").contains("image/png");
  }

  @Test
  void rejectsDataOrUriWithoutMimeType() {
    assertThat(reasonOf(event("e1", data(new byte[] {1}, null)))).isEqualTo("missing-mime-type");
    assertThat(reasonOf(event("e1", uri("gs://b/x", null)))).isEqualTo("missing-mime-type");
  }

  @Test
  void rejectsTextDeclaringAMediaMimeType() {
    MediaPart lie = MediaPart.newBuilder().setText("hello").setMimeType("image/png").build();
    assertThat(reasonOf(event("e1", lie))).isEqualTo("mime-type-mismatch");
  }

  @Test
  void rejectsEmptyData() {
    assertThat(reasonOf(event("e1", data(new byte[0], "image/png")))).isEqualTo("empty-data");
  }

  @Test
  void rejectsUrisWithoutSchemeOrWithBadSyntax() {
    assertThat(reasonOf(event("e1", uri("photo.png", "image/png")))).isEqualTo("invalid-uri");
    assertThat(reasonOf(event("e1", uri("http://exa mple.com/x", "image/png")))).isEqualTo("invalid-uri");
  }

  @Test
  void enforcesTheConfiguredLimitsNamingTheSetting() {
    Rejection parts = validator.validate(event("e1", text("a"), text("b"), text("c"), text("d"), text("e"))).orElseThrow();
    assertThat(parts.reason()).isEqualTo("too-many-parts");
    assertThat(parts.message()).contains("sieve.event.max.parts");

    Rejection chars = validator.validate(event("e1", text("x".repeat(60)), text("y".repeat(41)))).orElseThrow();
    assertThat(chars.reason()).isEqualTo("text-too-long");
    assertThat(chars.message()).contains("101").contains("sieve.event.max.text.chars");

    assertThat(reasonOf(event("x".repeat(21), text("a")))).isEqualTo("id-too-long");
    assertThat(reasonOf(event(" ", text("a")))).isEqualTo("missing-id");
  }

  private String reasonOf(MediaEvent event) {
    return validator.validate(event).orElseThrow().reason();
  }

  static MediaEvent event(String id, MediaPart... parts) {
    return MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.EPOCH).setSource("test")
        .setParts(parts.length == 0 ? Collections.emptyList() : List.of(parts)).setAttributes(Map.of()).build();
  }

  static MediaPart text(String text) {
    return MediaPart.newBuilder().setText(text).build();
  }

  static MediaPart data(byte[] data, String mimeType) {
    return MediaPart.newBuilder().setData(ByteBuffer.wrap(data)).setMimeType(mimeType).build();
  }

  static MediaPart uri(String uri, String mimeType) {
    return MediaPart.newBuilder().setUri(uri).setMimeType(mimeType).build();
  }
}
