package dev.sieve.embed.local;

import static dev.sieve.embed.Parts.data;
import static dev.sieve.embed.Parts.text;
import static dev.sieve.embed.Parts.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sieve.avro.MediaPart;
import dev.sieve.embed.UnembeddableContentException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalTextExtractorTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

  private final LocalTextExtractor extractor = new LocalTextExtractor(LocalModelSettings.DEFAULTS);

  @Test
  void joinsTitleCaptionTextPartsAndPdfTextInThatOrder() {
    List<MediaPart> parts =
        List.of(
            data("application/pdf", TestPdfs.withPages("Text inside the PDF")),
            text("first text part"),
            data("image/png", PNG),
            text("second text part"));

    String text = extractor.textOf(parts, Map.of("caption", "A caption", "title", "A title", "author", "ignored"));

    assertThat(text).isEqualTo("A title\nA caption\nfirst text part\nsecond text part\nText inside the PDF");
  }

  @Test
  void skipsImagesAndUris() {
    List<MediaPart> parts =
        List.of(data("image/png", PNG), uri("application/pdf", "gs://bucket/doc.pdf"), text("only this"));

    assertThat(extractor.textOf(parts, Map.of())).isEqualTo("only this");
  }

  @Test
  void leavesBlankPiecesOut() {
    assertThat(extractor.textOf(List.of(text("  "), text("body")), Map.of("title", "")))
        .isEqualTo("body");
  }

  @Test
  void acceptsPdfMimeTypeInAnyCaseWithParameters() {
    List<MediaPart> parts = List.of(data("Application/PDF; version=1.7", TestPdfs.withPages("Hello")));

    assertThat(extractor.textOf(parts, Map.of())).isEqualTo("Hello");
  }

  @Test
  void contentWithOnlyAnImageIsUnsupported() {
    UnembeddableContentException e = rejection(List.of(data("image/png", PNG)));

    assertThat(e.reason()).isEqualTo("unsupported-modality-for-provider");
    assertThat(e).hasMessage("local model embeds text only; content has image/png data");
  }

  @Test
  void unsupportedMessageNamesEveryUnreadPart() {
    UnembeddableContentException e =
        rejection(List.of(data("image/png", PNG), uri("video/mp4", "gs://b/v.mp4"), text(" ")));

    assertThat(e.reason()).isEqualTo("unsupported-modality-for-provider");
    assertThat(e).hasMessage("local model embeds text only; content has image/png data, video/mp4 uri");
  }

  @Test
  void aPdfWhosePageContentInflatesBeyondTheBoundIsRefusedQuickly() {
    List<MediaPart> bomb = List.of(data("application/pdf", TestPdfs.decompressionBomb(200)));
    long start = System.nanoTime();
    UnembeddableContentException e = rejection(bomb);
    assertThat(e.reason()).isEqualTo("pdf-too-large");
    assertThat(e.getMessage()).isEqualTo("PDF streams inflate to more than 67108864 bytes");
    // PDFBox took 7 s here to load a 300 MiB bomb (it inflates while loading); 64 MiB inflate in well under one.
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(3));
  }

  @Test
  void pdfWithoutTextIsUnsupported() {
    UnembeddableContentException e = rejection(List.of(data("application/pdf", TestPdfs.withPages(""))));

    assertThat(e.reason()).isEqualTo("unsupported-modality-for-provider");
    assertThat(e).hasMessage("local model embeds text only; content has application/pdf data without text");
  }

  @Test
  void emptyContentIsUnsupported() {
    UnembeddableContentException e = rejection(List.of());

    assertThat(e.reason()).isEqualTo("unsupported-modality-for-provider");
    assertThat(e).hasMessage("local model embeds text only; content has no text");
  }

  @Test
  void garbageClaimingToBePdfIsUnreadable() {
    byte[] garbage = "this is not a PDF at all".getBytes(StandardCharsets.UTF_8);

    UnembeddableContentException e = rejection(List.of(data("application/pdf", garbage)));

    assertThat(e.reason()).isEqualTo("unreadable-pdf");
    assertThat(e).hasMessageStartingWith("PDF cannot be parsed");
  }

  @Test
  void pdfNeedingAPasswordIsUnreadable() {
    UnembeddableContentException e =
        rejection(List.of(data("application/pdf", TestPdfs.encryptedWithUserPassword("hidden"))));

    assertThat(e.reason()).isEqualTo("unreadable-pdf");
    assertThat(e).hasMessage("PDF is encrypted with a password");
  }

  @Test
  void pdfOverTheByteLimitIsTooLarge() {
    byte[] pdf = TestPdfs.withPages("Hello");
    LocalTextExtractor small = new LocalTextExtractor(new LocalModelSettings(20, pdf.length - 1, 1));

    UnembeddableContentException e =
        catchThrowableOfType(
            () -> small.textOf(List.of(data("application/pdf", pdf)), Map.of()),
            UnembeddableContentException.class);

    assertThat(e.reason()).isEqualTo("pdf-too-large");
    assertThat(e)
        .hasMessage("PDF of " + pdf.length + " bytes exceeds sieve.local.pdf.max.bytes=" + (pdf.length - 1));
  }

  @Test
  void readsOnlyTheFirstPagesOfALongPdf() {
    LocalTextExtractor twoPages = new LocalTextExtractor(new LocalModelSettings(2, 1 << 20, 1));
    byte[] pdf = TestPdfs.withPages("Page one", "Page two", "Page three");

    String text = twoPages.textOf(List.of(data("application/pdf", pdf)), Map.of());

    assertThat(text).contains("Page one", "Page two").doesNotContain("Page three");
  }

  @Test
  void leavesThePdfBufferUnread() {
    MediaPart pdf = data("application/pdf", TestPdfs.withPages("Hello"));
    int size = pdf.getData().remaining();

    extractor.textOf(List.of(pdf), Map.of());

    assertThat(pdf.getData().remaining()).isEqualTo(size);
  }

  private UnembeddableContentException rejection(List<MediaPart> parts) {
    return catchThrowableOfType(() -> extractor.textOf(parts, Map.of()), UnembeddableContentException.class);
  }
}
