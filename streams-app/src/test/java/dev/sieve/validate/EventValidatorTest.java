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

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};

  private final EventValidator validator = new EventValidator(new EventLimits(4, 100, 20, 1_000));

  @Test
  void rejectsInlineBytesThatLieAboutTheirType() {
    Rejection pngAsText = validator.validate(event("e1", data(PNG_SIGNATURE, "text/plain"))).orElseThrow();
    assertThat(pngAsText.reason()).isEqualTo("mime-type-mismatch");
    assertThat(pngAsText.message()).isEqualTo("part 0 declares text/plain but holds PNG bytes");
    assertThat(reasonOf(event("e1", data("not a picture".getBytes(), "image/png")))).isEqualTo("mime-type-mismatch");
    assertThat(reasonOf(event("e1", data("%PDF-1.7".getBytes(), "image/jpeg")))).isEqualTo("mime-type-mismatch");
    assertThat(reasonOf(event("e1", data(PNG_SIGNATURE, "video/mp4")))).isEqualTo("mime-type-mismatch");
  }

  @Test
  void acceptsInlineBytesThatStartLikeTheirType() {
    assertThat(validator.validate(event("e1", data(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0}, "image/jpeg"),
        data("junk\n%PDF-1.4".getBytes(), "application/pdf"),
        data(new byte[] {0, 0, 0, 16, 'f', 't', 'y', 'p'}, "video/quicktime"),
        data("grüße".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain; charset=utf-8")))).isEmpty();
  }

  @Test
  void rejectsTextDataThatIsNotUtf8() {
    Rejection rejection = validator.validate(event("e1", data(new byte[] {'H', 'i', (byte) 0xc3, 0x28}, "text/plain")))
        .orElseThrow();
    assertThat(rejection.reason()).isEqualTo("invalid-utf8");
    assertThat(rejection.message()).isEqualTo("part 0 declares text/plain but its bytes are not valid UTF-8");
  }

  @Test
  void acceptsTextImageAndUriParts() {
    assertThat(validator.validate(event("e1",
        text("a photo of the harbour"),
        data(PNG_SIGNATURE, "image/png"),
        uri("gs://bucket/clip.mp4", "video/mp4")))).isEmpty();
  }

  @Test
  void acceptsMimeTypesWithParametersAndAnyCase() {
    assertThat(validator.validate(event("e1", data(PNG_SIGNATURE, "Image/PNG; foo=bar")))).isEmpty();
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
