package dev.sieve.embed.local;

import dev.sieve.embed.UnembeddableContentException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/** Reads the text of an inline PDF with PDFBox, bounded in input bytes and pages. */
final class PdfText {

  static final String TOO_LARGE = "pdf-too-large";
  static final String UNREADABLE = "unreadable-pdf";

  private final int maxPages;
  private final int maxBytes;

  PdfText(LocalModelSettings settings) {
    this.maxPages = settings.pdfMaxPages();
    this.maxBytes = settings.pdfMaxBytes();
  }

  /**
   * The text of the first pages of {@code pdf} (its position is left unchanged). A PDF that only
   * has an owner password (restricting printing or editing) is read like any other.
   *
   * @throws UnembeddableContentException {@value #TOO_LARGE} over the byte limit, {@value
   *     #UNREADABLE} when it cannot be parsed or needs a password to open
   */
  String read(ByteBuffer pdf) {
    if (pdf.remaining() > maxBytes) {
      throw new UnembeddableContentException(
          TOO_LARGE,
          "PDF of " + pdf.remaining() + " bytes exceeds "
              + LocalModelSettings.PDF_MAX_BYTES + "=" + maxBytes);
    }
    byte[] bytes = new byte[pdf.remaining()];
    pdf.duplicate().get(bytes);
    try (PDDocument document = Loader.loadPDF(bytes)) {
      PDFTextStripper stripper = new PDFTextStripper();
      stripper.setStartPage(1);
      stripper.setEndPage(maxPages);
      return stripper.getText(document);
    } catch (InvalidPasswordException e) {
      throw new UnembeddableContentException(UNREADABLE, "PDF is encrypted with a password");
    } catch (IOException | RuntimeException e) {
      // PDFBox reports some malformed files with runtime exceptions; one bad upload must not stop
      // a stream thread.
      throw new UnembeddableContentException(UNREADABLE, "PDF cannot be parsed: " + e.getMessage());
    }
  }
}
