package dev.sieve.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FileMediaTest {

  @Test
  void recognisesSignatures() {
    assertThat(FileMedia.mimeType("x", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0})).isEqualTo("image/jpeg");
    assertThat(FileMedia.mimeType("x", "%PDF-1.7".getBytes(StandardCharsets.US_ASCII))).isEqualTo("application/pdf");
    assertThat(FileMedia.mimeType("x", "RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII))).isEqualTo("audio/wav");
    assertThat(FileMedia.mimeType("x", "\0\0\0\u0018ftypisom".getBytes(StandardCharsets.US_ASCII))).isEqualTo("video/mp4");
    assertThat(FileMedia.mimeType("x", "\0\0\0\u0014ftypqt  ".getBytes(StandardCharsets.US_ASCII))).isEqualTo("video/quicktime");
  }

  @Test
  void theContentWinsOverTheExtension() {
    assertThat(FileMedia.mimeType("photo.png", "%PDF-1.4".getBytes(StandardCharsets.US_ASCII))).isEqualTo("application/pdf");
    // Text claiming to be an image is not an image.
    assertThat(FileMedia.mimeType("photo.png", "hello".getBytes(StandardCharsets.US_ASCII))).isEqualTo(FileMedia.UNKNOWN);
  }

  @Test
  void textIsRecognisedAndBinaryIsUnknown() {
    assertThat(FileMedia.mimeType("notes", "héllo".getBytes(StandardCharsets.UTF_8))).isEqualTo("text/plain");
    assertThat(FileMedia.mimeType("page.md", "# title".getBytes(StandardCharsets.UTF_8))).isEqualTo("text/markdown");
    assertThat(FileMedia.mimeType("blob", new byte[] {1, 0, 2})).isEqualTo(FileMedia.UNKNOWN);
  }
}
