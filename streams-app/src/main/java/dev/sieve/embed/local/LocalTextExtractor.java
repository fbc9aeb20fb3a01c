package dev.sieve.embed.local;

import dev.sieve.avro.MediaPart;
import dev.sieve.embed.EmbeddedAttributes;
import dev.sieve.embed.UnembeddableContentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text the local (text-only) model embeds for a content, lines joined with {@code \n} in this
 * order: the {@code title} and {@code caption} attributes, every {@code text} part, then the text of
 * every inline {@code application/pdf} part (see {@link LocalModelSettings} for the PDF bounds).
 * Short texts come before documents so that they survive the model's truncation of long inputs.
 * Parts the model cannot read (images, audio, video, any URI) are skipped; blank pieces are left
 * out.
 */
public final class LocalTextExtractor {

  /** Reason code when nothing readable is left: the content needs a multimodal provider. */
  public static final String UNSUPPORTED_MODALITY = "unsupported-modality-for-provider";

  private static final String PDF = "application/pdf";

  private final PdfText pdfText;

  public LocalTextExtractor(LocalModelSettings settings) {
    this.pdfText = new PdfText(settings);
  }

  /**
   * @throws UnembeddableContentException {@value #UNSUPPORTED_MODALITY} when the content has no
   *     text, with a message listing what it has; {@code pdf-too-large} or {@code unreadable-pdf}
   *     for a PDF part that cannot be read
   */
  public String textOf(List<MediaPart> parts, Map<String, String> attributes) {
    List<String> lines = new ArrayList<>();
    List<String> unread = new ArrayList<>();
    for (String key : EmbeddedAttributes.KEYS) {
      addIfNotBlank(lines, attributes.get(key));
    }
    for (MediaPart part : parts) {
      addIfNotBlank(lines, part.getText());
    }
    for (MediaPart part : parts) {
      if (part.getData() != null && isPdf(part.getMimeType())) {
        String text = pdfText.read(part.getData()).strip();
        if (text.isEmpty()) {
          unread.add(describe(part) + " without text");
        } else {
          lines.add(text);
        }
      } else if (part.getData() != null || part.getUri() != null) {
        unread.add(describe(part));
      }
    }
    if (lines.isEmpty()) {
      throw new UnembeddableContentException(
          UNSUPPORTED_MODALITY,
          "local model embeds text only; content has "
              + (unread.isEmpty() ? "no text" : String.join(", ", unread)));
    }
    return String.join("\n", lines);
  }

  private static void addIfNotBlank(List<String> lines, String text) {
    if (text != null && !text.isBlank()) {
      lines.add(text);
    }
  }

  private static String describe(MediaPart part) {
    String type = part.getMimeType() == null ? "untyped" : part.getMimeType();
    return type + (part.getData() != null ? " data" : " uri");
  }

  /** Ignores case and parameters, e.g. {@code Application/PDF; version=1.7}. */
  private static boolean isPdf(String mimeType) {
    return mimeType != null
        && mimeType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT).equals(PDF);
  }
}
