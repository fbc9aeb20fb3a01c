package dev.sieve.embed.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Real PDFs built with PDFBox, one line of text per page. */
public final class TestPdfs {

  private TestPdfs() {}

  public static byte[] withPages(String... pageTexts) {
    return build(null, pageTexts);
  }

  /**
   * A one-page PDF written by hand (PDFBox would buffer the stream in memory) whose Flate-compressed
   * content stream inflates to {@code inflatedMiB} MiB of spaces: about 1 KB per MiB.
   */
  public static byte[] decompressionBomb(int inflatedMiB) {
    java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
    byte[] spaces = new byte[1 << 20];
    java.util.Arrays.fill(spaces, (byte) ' ');
    try (var deflater = new java.util.zip.DeflaterOutputStream(compressed,
        new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION))) {
      for (int i = 0; i < inflatedMiB; i++) {
        deflater.write(spaces);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    byte[] stream = compressed.toByteArray();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int[] offsets = new int[5];
    latin1(out, "%PDF-1.7\n");
    offsets[1] = out.size();
    latin1(out, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    offsets[2] = out.size();
    latin1(out, "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n");
    offsets[3] = out.size();
    latin1(out, "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n");
    offsets[4] = out.size();
    latin1(out, "4 0 obj << /Length " + stream.length + " /Filter /FlateDecode >> stream\n");
    out.writeBytes(stream);
    latin1(out, "\nendstream endobj\n");
    int xref = out.size();
    StringBuilder table = new StringBuilder("xref\n0 5\n0000000000 65535 f \n");
    for (int i = 1; i < offsets.length; i++) {
      table.append(String.format("%010d 00000 n \n", offsets[i]));
    }
    latin1(out, table + "trailer << /Size 5 /Root 1 0 R >>\nstartxref\n" + xref + "\n%%EOF\n");
    return out.toByteArray();
  }

  private static void latin1(java.io.ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  static byte[] encryptedWithUserPassword(String text) {
    return build("secret", text);
  }

  private static byte[] build(String userPassword, String... pageTexts) {
    try (PDDocument document = new PDDocument()) {
      PDType1Font helvetica = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
      for (String text : pageTexts) {
        PDPage page = new PDPage();
        document.addPage(page);
        try (PDPageContentStream content = new PDPageContentStream(document, page)) {
          content.beginText();
          content.setFont(helvetica, 12);
          content.newLineAtOffset(72, 700);
          content.showText(text);
          content.endText();
        }
      }
      if (userPassword != null) {
        StandardProtectionPolicy policy =
            new StandardProtectionPolicy("owner", userPassword, new AccessPermission());
        policy.setEncryptionKeyLength(128);
        document.protect(policy);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      document.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
