package dev.sieve.embed.gemini;

import static dev.sieve.embed.Parts.data;
import static dev.sieve.embed.Parts.text;
import static dev.sieve.embed.Parts.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.genai.types.Part;
import dev.sieve.avro.MediaPart;
import dev.sieve.embed.UnembeddableContentException;
import dev.sieve.embed.resolve.ContentFetcher;
import dev.sieve.embed.resolve.FetchPolicy;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.junit.jupiter.api.Test;

class GeminiContentsTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

  private final GeminiContents contents = new GeminiContents(
      new TaskInstruction(GeminiSettings.DEFAULT_INSTRUCTION), new ContentFetcher(FetchPolicy.NONE));

  @Test
  void titleAndCaptionComeBeforeTheTextInsideTheInstruction() {
    GeminiInput input = contents.prepare(List.of(text("body")), Map.of("caption", "cap", "title", "T", "tenant", "x"));
    assertThat(input.text()).isEqualTo("task: classification | query: T\ncap\nbody");
    assertThat(input.textOnly()).isTrue();
  }

  @Test
  void aTitleSlotInTheInstructionTakesTheTitle() {
    GeminiContents documents = new GeminiContents(new TaskInstruction("title: {title} | text: {content}"),
        new ContentFetcher(FetchPolicy.NONE));
    assertThat(documents.prepare(List.of(text("body {title}")), Map.of("title", "T")).text())
        .isEqualTo("title: T | text: body {title}");
    assertThat(documents.prepare(List.of(text("body")), Map.of()).text()).isEqualTo("title: none | text: body");
  }

  @Test
  void anInstructionWithoutTheContentSlotIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new TaskInstruction("task: classification"))
        .hasMessageContaining("sieve.gemini.instruction").hasMessageContaining("{content}");
  }

  @Test
  void sixImagesAreTakenASeventhIsNot() {
    List<MediaPart> six = Collections.nCopies(6, data("image/png", PNG));
    assertThat(contents.prepare(six, Map.of()).content().parts().orElseThrow()).hasSize(7);
    List<MediaPart> seven = Collections.nCopies(7, data("image/jpeg", PNG));
    assertReason(seven, "too-many-images");
  }

  @Test
  void audioOverThreeMinutesIsRefused() {
    assertThat(contents.prepare(List.of(data("audio/wav", wav(180))), Map.of()).textOnly()).isFalse();
    assertReason(List.of(data("audio/wav", wav(181))), "audio-too-long");
    assertThat(MediaDuration.mp3(ByteBuffer.wrap(mp3(10))).getAsDouble()).isBetween(9.9, 10.1);
    contents.prepare(List.of(data("audio/mpeg", mp3(179))), Map.of());
    assertReason(List.of(data("audio/mpeg", mp3(181))), "audio-too-long");
  }

  @Test
  void videoOverTwoMinutesIsRefused() {
    contents.prepare(List.of(data("video/mp4", mp4(120_000))), Map.of());
    assertReason(List.of(data("video/quicktime", mp4(120_500))), "video-too-long");
    assertReason(List.of(data("video/mp4", new byte[] {1, 2, 3})), "unreadable-media");
  }

  @Test
  void pdfsOverSixPagesAreRefused() throws Exception {
    contents.prepare(List.of(data("application/pdf", pdf(6))), Map.of());
    assertReason(List.of(data("application/pdf", pdf(7))), "pdf-too-many-pages");
  }

  @Test
  void typesTheModelDoesNotTakeAreRefused() {
    assertReason(List.of(data("image/gif", PNG)), "unsupported-mime-type-for-provider");
  }

  @Test
  void inlineTextDataIsReadAsText() {
    assertThat(contents.prepare(List.of(data("text/markdown", "# hi".getBytes())), Map.of()).text())
        .isEqualTo("task: classification | query: # hi");
  }

  @Test
  void textBeyondTheTokenLimitIsTruncatedAndFlagged() {
    GeminiInput fits = contents.prepare(List.of(text("a".repeat(20_000))), Map.of());
    assertThat(fits.truncated()).isFalse();
    GeminiInput input = contents.prepare(List.of(text("é".repeat(30_000))), Map.of());
    assertThat(input.truncated()).isTrue();
    assertThat(GeminiContents.tokens(input.text())).isLessThanOrEqualTo(8_192);
    assertThat(input.text()).startsWith("task: classification | query: éé").doesNotEndWith("\uFFFD");
  }

  @Test
  void cloudUrisArePassedThroughAndOtherUrisAreFetchedOnlyWhenAllowed() {
    Part part = contents.prepare(List.of(uri("video/mp4", "https://generativelanguage.googleapis.com/v1beta/files/abc")),
        Map.of()).content().parts().orElseThrow().get(1);
    assertThat(part.fileData().orElseThrow().fileUri()).contains("https://generativelanguage.googleapis.com/v1beta/files/abc");
    assertReason(List.of(uri("image/png", "https://example.com/cat.png")), "uri-host-not-allowed");
    assertReason(List.of(uri("image/png", "file:///etc/passwd")), "uri-scheme-not-allowed");
  }

  private void assertReason(List<MediaPart> parts, String reason) {
    assertThatThrownBy(() -> contents.prepare(parts, Map.of()))
        .isInstanceOfSatisfying(UnembeddableContentException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  /** 8 kHz, 8-bit mono PCM: 8,000 bytes a second. */
  static byte[] wav(int seconds) {
    int dataBytes = seconds * 8_000;
    ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + dataBytes).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8_000).putInt(8_000)
        .putShort((short) 1).putShort((short) 8);
    b.put("data".getBytes()).putInt(dataBytes);
    return b.array();
  }

  /** MPEG-1 layer III, 32 kbit/s, 32 kHz frames (36 ms, 144 bytes each), after an ID3v2 tag. */
  static byte[] mp3(int seconds) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 10});
    out.writeBytes(new byte[10]);
    int frames = (int) Math.round(seconds / 0.036);
    byte[] frame = new byte[144];
    frame[0] = (byte) 0xff;
    frame[1] = (byte) 0xfb; // MPEG-1, layer III, no CRC
    frame[2] = (byte) 0x18; // 32 kbit/s, 32 kHz, no padding
    for (int i = 0; i < frames; i++) {
      out.writeBytes(frame);
    }
    return out.toByteArray();
  }

  /** An ftyp box, then moov holding mvhd (version 0, timescale 1000). */
  static byte[] mp4(int durationMillis) {
    ByteBuffer b = ByteBuffer.allocate(16 + 8 + 108);
    b.putInt(16).put("ftyp".getBytes()).put("isom".getBytes()).putInt(0);
    b.putInt(8 + 108).put("moov".getBytes());
    b.putInt(108).put("mvhd".getBytes()).putInt(0).putInt(0).putInt(0).putInt(1000).putInt(durationMillis);
    return b.array();
  }

  static byte[] pdf(int pages) throws Exception {
    try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      for (int i = 0; i < pages; i++) {
        document.addPage(new PDPage());
      }
      document.save(out);
      return out.toByteArray();
    }
  }
}
