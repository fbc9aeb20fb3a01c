package dev.sieve.demo;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Guesses a file's media type from its first bytes, falling back on its extension. */
public final class FileMedia {

  private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
      Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
      Map.entry("pdf", "application/pdf"), Map.entry("mp3", "audio/mpeg"), Map.entry("wav", "audio/wav"),
      Map.entry("mp4", "video/mp4"), Map.entry("mov", "video/quicktime"), Map.entry("txt", "text/plain"),
      Map.entry("md", "text/markdown"), Map.entry("html", "text/html"), Map.entry("csv", "text/csv"));

  static final String UNKNOWN = "application/octet-stream";

  private FileMedia() {}

  public static String mimeType(String fileName, byte[] content) {
    String sniffed = sniff(content);
    if (sniffed != null) {
      return sniffed;
    }
    int dot = fileName.lastIndexOf('.');
    String extension = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    String byName = BY_EXTENSION.get(extension);
    if (byName != null && !byName.startsWith("text/")) {
      // The content did not match the signature the extension promises.
      return UNKNOWN;
    }
    if (isUtf8Text(content)) {
      return byName != null ? byName : "text/plain";
    }
    return UNKNOWN;
  }

  private static String sniff(byte[] b) {
    if (startsWith(b, 0, 0x89, 'P', 'N', 'G')) {
      return "image/png";
    }
    if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (startsWith(b, 0, '%', 'P', 'D', 'F')) {
      return "application/pdf";
    }
    if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'A', 'V', 'E')) {
      return "audio/wav";
    }
    if (startsWith(b, 0, 'I', 'D', '3') || (b.length > 1 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xE0) == 0xE0)) {
      return "audio/mpeg";
    }
    if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
      return startsWith(b, 8, 'q', 't', ' ', ' ') ? "video/quicktime" : "video/mp4";
    }
    return null;
  }

  private static boolean startsWith(byte[] content, int offset, int... signature) {
    if (content.length < offset + signature.length) {
      return false;
    }
    for (int i = 0; i < signature.length; i++) {
      if ((content[offset + i] & 0xFF) != signature[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUtf8Text(byte[] content) {
    for (byte b : content) {
      if (b == 0) {
        return false;
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(content));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
