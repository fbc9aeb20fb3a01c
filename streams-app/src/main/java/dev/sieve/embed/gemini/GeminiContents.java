package dev.sieve.embed.gemini;

import com.google.genai.types.Blob;
import com.google.genai.types.Content;
import com.google.genai.types.FileData;
import com.google.genai.types.Part;
import dev.sieve.avro.MediaPart;
import dev.sieve.embed.EmbeddedAttributes;
import dev.sieve.embed.UnembeddableContentException;
import dev.sieve.embed.resolve.ContentFetcher;
import dev.sieve.validate.MimeTypes;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;

/**
 * Turns an event's parts into one Gemini {@link Content}, checking the model's input limits first
 * so that no request is sent that can only fail.
 *
 * <p>Layout: one text part first, the {@link TaskInstruction} applied to the content's text (the
 * {@code title} and {@code caption} attributes, then every text part and every inline {@code
 * text/*} part, joined by newlines; when the instruction has a {@code {title}} slot the title goes
 * there instead), then every media part in event order: inline bytes and fetched {@code http(s)}
 * URIs as {@code inlineData}, {@code gs://} and Files API URIs as {@code fileData}.
 *
 * <p>Limits and their DLQ reasons: more than 6 images ({@value #TOO_MANY_IMAGES}), an audio part
 * over 180 s ({@value #AUDIO_TOO_LONG}), a video part over 120 s ({@value #VIDEO_TOO_LONG}), a PDF
 * over 6 pages ({@value #PDF_TOO_MANY_PAGES}), a type the model does not take ({@value
 * #UNSUPPORTED_MIME_TYPE}), inline media whose duration or pages cannot be read ({@value
 * #UNREADABLE_MEDIA}), and the reasons of {@link ContentFetcher} for other URIs. Durations and pages of
 * passed-through URIs cannot be checked here; the API rejects such content itself.
 *
 * <p>Text over 8,192 tokens is truncated (and the embedding flagged), not rejected. Tokens are
 * estimated as UTF-8 bytes / 3, rounded up: above the real count for English (about 4 bytes per
 * token) and for most other scripts, so a truncated text fits. The rate limiter charges that
 * estimate plus {@value #MEDIA_TOKENS} per media part.
 */
final class GeminiContents {

  public static final String TOO_MANY_IMAGES = "too-many-images";
  public static final String AUDIO_TOO_LONG = "audio-too-long";
  public static final String VIDEO_TOO_LONG = "video-too-long";
  public static final String PDF_TOO_MANY_PAGES = "pdf-too-many-pages";
  public static final String UNSUPPORTED_MIME_TYPE = "unsupported-mime-type-for-provider";
  public static final String UNREADABLE_MEDIA = "unreadable-media";

  static final int MAX_IMAGES = 6;
  static final double MAX_AUDIO_SECONDS = 180;
  static final double MAX_VIDEO_SECONDS = 120;
  static final int MAX_PDF_PAGES = 6;
  static final int MAX_TEXT_TOKENS = 8_192;
  static final int BYTES_PER_TOKEN = 3;
  static final int MEDIA_TOKENS = 258;

  private static final Set<String> IMAGES = Set.of("image/png", "image/jpeg");
  private static final Set<String> AUDIO = Set.of("audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav");
  private static final Set<String> VIDEO = Set.of("video/mp4", "video/quicktime");
  private static final String PDF = "application/pdf";
  private static final String FILES_API_HOST = "generativelanguage.googleapis.com";

  private final TaskInstruction instruction;
  private final ContentFetcher fetcher;

  GeminiContents(TaskInstruction instruction, ContentFetcher fetcher) {
    this.instruction = instruction;
    this.fetcher = fetcher;
  }

  GeminiInput prepare(List<MediaPart> parts, Map<String, String> attributes) {
    List<String> lines = new ArrayList<>();
    String title = attributes.get(EmbeddedAttributes.TITLE);
    if (!instruction.takesTitle()) {
      addIfNotBlank(lines, title);
    }
    addIfNotBlank(lines, attributes.get(EmbeddedAttributes.CAPTION));
    List<Part> media = new ArrayList<>();
    int images = 0;
    for (int i = 0; i < parts.size(); i++) {
      MediaPart part = parts.get(i);
      if (part.getText() != null) {
        addIfNotBlank(lines, part.getText());
        continue;
      }
      String mimeType = MimeTypes.essence(part.getMimeType() == null ? "" : part.getMimeType());
      String where = "part " + i + " (" + mimeType + ")";
      if (part.getData() != null && MimeTypes.isText(mimeType)) {
        addIfNotBlank(lines, StandardCharsets.UTF_8.decode(part.getData().duplicate()).toString());
        continue;
      }
      if (!IMAGES.contains(mimeType) && !AUDIO.contains(mimeType) && !VIDEO.contains(mimeType) && !PDF.equals(mimeType)) {
        throw new UnembeddableContentException(UNSUPPORTED_MIME_TYPE, where + ": Gemini embeds PNG/JPEG "
            + "images, MP3/WAV audio, MP4/MOV video, PDF and text; not " + mimeType);
      }
      if (IMAGES.contains(mimeType) && ++images > MAX_IMAGES) {
        throw new UnembeddableContentException(TOO_MANY_IMAGES, "content has more than " + MAX_IMAGES
            + " images, the model's limit");
      }
      media.add(mediaPart(part, mimeType, where));
    }
    String text = String.join("\n", lines);
    int budget = MAX_TEXT_TOKENS - tokens(instruction.overhead(title));
    boolean truncated = tokens(text) > budget;
    if (truncated) {
      text = truncate(text, Math.max(0, budget) * BYTES_PER_TOKEN);
    }
    String instructed = instruction.apply(title, text);
    List<Part> all = new ArrayList<>();
    all.add(Part.fromText(instructed));
    all.addAll(media);
    return new GeminiInput(Content.builder().role("user").parts(all).build(), instructed, media.isEmpty(),
        tokens(instructed) + MEDIA_TOKENS * media.size(), truncated);
  }

  private Part mediaPart(MediaPart part, String mimeType, String where) {
    if (part.getData() != null) {
      return inline(part.getData(), mimeType, where);
    }
    String uri = part.getUri();
    if (isPassedThrough(uri)) {
      return Part.builder().fileData(FileData.builder().fileUri(uri).mimeType(mimeType)).build();
    }
    // Fetched now, at embed time: the bytes live only as long as this request (the fetcher
    // refuses schemes other than http and https).
    return inline(ByteBuffer.wrap(fetcher.fetch(uri).bytes()), mimeType, where + " from " + uri);
  }

  /** gs:// objects and Files API uploads are read by the model itself. */
  private static boolean isPassedThrough(String uri) {
    try {
      URI parsed = new URI(uri);
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
      return scheme.equals("gs") || (scheme.equals("https") && FILES_API_HOST.equalsIgnoreCase(parsed.getHost())
          && parsed.getPath() != null && parsed.getPath().contains("/files/"));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static Part inline(ByteBuffer data, String mimeType, String where) {
    checkLimits(data, mimeType, where);
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    return Part.builder().inlineData(Blob.builder().data(bytes).mimeType(mimeType)).build();
  }

  private static void checkLimits(ByteBuffer data, String mimeType, String where) {
    if (AUDIO.contains(mimeType)) {
      OptionalDouble seconds = mimeType.contains("wav") ? MediaDuration.wav(data) : MediaDuration.mp3(data);
      requireAtMost(seconds, MAX_AUDIO_SECONDS, AUDIO_TOO_LONG, where, "audio");
    } else if (VIDEO.contains(mimeType)) {
      requireAtMost(MediaDuration.mp4(data), MAX_VIDEO_SECONDS, VIDEO_TOO_LONG, where, "video");
    } else if (PDF.equals(mimeType)) {
      int pages = pdfPages(data, where);
      if (pages > MAX_PDF_PAGES) {
        throw new UnembeddableContentException(PDF_TOO_MANY_PAGES, where + " has " + pages
            + " pages; the model takes at most " + MAX_PDF_PAGES);
      }
    }
  }

  private static void requireAtMost(OptionalDouble seconds, double max, String reason, String where, String kind) {
    if (seconds.isEmpty()) {
      throw new UnembeddableContentException(UNREADABLE_MEDIA, where + ": the " + kind
          + " duration cannot be read from its headers");
    }
    if (seconds.getAsDouble() > max) {
      throw new UnembeddableContentException(reason, String.format(Locale.ROOT,
          "%s lasts %.1f s; the model takes %s of at most %.0f s", where, seconds.getAsDouble(), kind, max));
    }
  }

  private static int pdfPages(ByteBuffer data, String where) {
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    try (PDDocument document = Loader.loadPDF(bytes)) {
      return document.getNumberOfPages();
    } catch (IOException e) {
      throw new UnembeddableContentException(UNREADABLE_MEDIA, where + " is not a readable PDF: " + e.getMessage());
    }
  }

  static int tokens(String text) {
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    return (bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
  }

  /** The longest prefix of whole code points that fits in this many UTF-8 bytes. */
  private static String truncate(String text, int maxBytes) {
    int bytes = 0;
    int end = 0;
    while (end < text.length()) {
      int codePoint = text.codePointAt(end);
      int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
      if (bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      end += Character.charCount(codePoint);
    }
    return text.substring(0, end);
  }

  private static void addIfNotBlank(List<String> lines, String text) {
    if (text != null && !text.isBlank()) {
      lines.add(text);
    }
  }
}
