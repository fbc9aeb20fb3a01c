package dev.sieve.embed;

import static dev.sieve.embed.Parts.data;
import static dev.sieve.embed.Parts.text;
import static dev.sieve.embed.Parts.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.MediaPart;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentHashTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

  private static String hash(List<MediaPart> parts) {
    return ContentHash.of(parts, Map.of());
  }

  @Test
  void followsTheDocumentedDefinition() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte('T');
    sized(out, "");
    sized(out, "héllo");
    out.writeByte('D');
    sized(out, "image/png");
    out.writeInt(PNG.length);
    out.write(PNG);
    out.writeByte('U');
    sized(out, "video/mp4");
    sized(out, "gs://bucket/clip.mp4");
    out.writeByte('A');
    sized(out, "title");
    sized(out, "A title");
    out.writeByte('A');
    sized(out, "caption");
    sized(out, "");

    String hash =
        ContentHash.of(
            List.of(text("héllo"), data("image/png", PNG), uri("video/mp4", "gs://bucket/clip.mp4")),
            Map.of("caption", "", "title", "A title", "author", "not hashed"));

    assertThat(hash).isEqualTo(sha256Hex(bytes.toByteArray()));
  }

  @Test
  void isEqualForEqualContent() {
    assertThat(ContentHash.of(List.of(text("a"), data("image/png", PNG)), Map.of("title", "t")))
        .isEqualTo(ContentHash.of(List.of(text("a"), data("image/png", PNG.clone())), Map.of("title", "t")));
  }

  @Test
  void leavesDataBuffersUnread() {
    MediaPart image = data("image/png", PNG);

    String first = hash(List.of(image));

    assertThat(image.getData().remaining()).isEqualTo(PNG.length);
    assertThat(hash(List.of(image))).isEqualTo(first);
  }

  @Test
  void differsWhenAPayloadDiffers() {
    assertThat(hash(List.of(text("a")))).isNotEqualTo(hash(List.of(text("b"))));
    assertThat(hash(List.of(data("image/png", PNG)))).isNotEqualTo(hash(List.of(data("image/png", new byte[] {1}))));
    assertThat(hash(List.of(uri("video/mp4", "gs://a")))).isNotEqualTo(hash(List.of(uri("video/mp4", "gs://b"))));
  }

  @Test
  void differsWhenAMimeTypeDiffers() {
    assertThat(hash(List.of(data("image/png", PNG)))).isNotEqualTo(hash(List.of(data("image/jpeg", PNG))));
  }

  @Test
  void differsWhenTheKindDiffers() {
    assertThat(hash(List.of(text("gs://a")))).isNotEqualTo(hash(List.of(MediaPart.newBuilder().setUri("gs://a").build())));
  }

  @Test
  void differsWhenThePartOrderDiffers() {
    assertThat(hash(List.of(text("a"), text("b")))).isNotEqualTo(hash(List.of(text("b"), text("a"))));
  }

  @Test
  void differsBetweenOnePartAndTheSameTextSplitInTwo() {
    assertThat(hash(List.of(text("ab")))).isNotEqualTo(hash(List.of(text("a"), text("b"))));
  }

  @Test
  void differsWhenTitleOrCaptionDiffers() {
    List<MediaPart> parts = List.of(text("body"));

    assertThat(ContentHash.of(parts, Map.of("title", "x"))).isNotEqualTo(ContentHash.of(parts, Map.of("title", "y")));
    assertThat(ContentHash.of(parts, Map.of("caption", "x"))).isNotEqualTo(ContentHash.of(parts, Map.of("caption", "y")));
    assertThat(ContentHash.of(parts, Map.of("title", "x"))).isNotEqualTo(ContentHash.of(parts, Map.of("caption", "x")));
    assertThat(ContentHash.of(parts, Map.of("title", ""))).isNotEqualTo(ContentHash.of(parts, Map.of()));
  }

  @Test
  void ignoresAttributesThatAreNotEmbedded() {
    List<MediaPart> parts = List.of(text("body"));

    assertThat(ContentHash.of(parts, Map.of("author", "someone"))).isEqualTo(ContentHash.of(parts, Map.of()));
  }

  @Test
  void rejectsAPartWithoutPayload() {
    assertThatThrownBy(() -> hash(List.of(MediaPart.newBuilder().setMimeType("image/png").build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no data, text or uri");
  }

  private static void sized(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String sha256Hex(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
