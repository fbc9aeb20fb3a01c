package dev.sieve.embed.local;

import dev.sieve.embed.UnembeddableContentException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/** Reads the text of an inline PDF with PDFBox, bounded in input bytes and pages. */
final class PdfText {

  static final String TOO_LARGE = "pdf-too-large";
  static final String UNREADABLE = "unreadable-pdf";
  /**
   * Text, fonts and the odd image of the pages the model reads (a few hundred tokens) inflate to far
   * less: more than this is a decompression bomb.
   */
  static final long MAX_INFLATED_BYTES = 64L * 1024 * 1024;
  private static final byte[] STREAM = "stream".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final int maxPages;
  private final int maxBytes;

  PdfText(LocalModelSettings settings) {
    this.maxPages = settings.pdfMaxPages();
    this.maxBytes = settings.pdfMaxBytes();
  }

  /**
   * Inflates every Flate stream of the raw file, {@value #MAX_INFLATED_BYTES} bytes in all at most,
   * before PDFBox sees it: PDFBox inflates a whole stream into memory as soon as it is opened (even
   * while loading), and a 1 MB PDF can inflate to 1 GB. Streams in other encodings are not counted.
   */
  private static void requireInflatedSizeWithinBound(byte[] pdf) {
    byte[] chunk = new byte[64 * 1024];
    long total = 0;
    Inflater inflater = new Inflater();
    try {
      for (int at = indexOf(pdf, STREAM, 0); at >= 0; at = indexOf(pdf, STREAM, at + 1)) {
        if (at >= 3 && pdf[at - 3] == 'e' && pdf[at - 2] == 'n' && pdf[at - 1] == 'd') {
          continue; // "endstream"
        }
        int data = at + STREAM.length;
        if (data < pdf.length && pdf[data] == '\r') {
          data++;
        }
        if (data >= pdf.length || pdf[data] != '\n') {
          continue;
        }
        inflater.reset();
        inflater.setInput(pdf, data + 1, pdf.length - data - 1);
        try {
          while (!inflater.finished() && !inflater.needsInput()) {
            int n = inflater.inflate(chunk);
            total += n;
            if (total > MAX_INFLATED_BYTES) {
              throw new UnembeddableContentException(TOO_LARGE, "PDF streams inflate to more than "
                  + MAX_INFLATED_BYTES + " bytes");
            }
            if (n == 0 && inflater.needsDictionary()) {
              break;
            }
          }
        } catch (DataFormatException notFlate) {
          // another encoding, or not a stream at all: PDFBox judges it
        }
      }
    } finally {
      inflater.end();
    }
  }

  private static int indexOf(byte[] bytes, byte[] token, int from) {
    outer:
    for (int i = from; i + token.length <= bytes.length; i++) {
      for (int j = 0; j < token.length; j++) {
        if (bytes[i + j] != token[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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
    requireInflatedSizeWithinBound(bytes);
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
