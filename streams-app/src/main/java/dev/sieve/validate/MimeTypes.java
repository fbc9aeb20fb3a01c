package dev.sieve.validate;

import java.util.Locale;
import java.util.Set;

/** Media types Sieve accepts in a part: those Gemini Embedding 2 documents, plus text. */
public final class MimeTypes {

  public static final String TEXT_PLAIN = "text/plain";
  public static final String PDF = "application/pdf";

  private static final Set<String> MEDIA = Set.of(
      "image/png", "image/jpeg",
      "audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav",
      "video/mp4", "video/quicktime",
      PDF);

  private static final Set<String> TEXT = Set.of(
      TEXT_PLAIN, "text/markdown", "text/html", "text/csv");

  private MimeTypes() {}

  /** The bare type in lower case: {@code "Text/Plain; charset=UTF-8"} → {@code "text/plain"}. */
  public static String essence(String mimeType) {
    int semicolon = mimeType.indexOf(';');
    String bare = semicolon < 0 ? mimeType : mimeType.substring(0, semicolon);
    return bare.trim().toLowerCase(Locale.ROOT);
  }

  public static boolean isSupported(String mimeType) {
    String essence = essence(mimeType);
    return MEDIA.contains(essence) || TEXT.contains(essence);
  }

  public static boolean isText(String mimeType) {
    return TEXT.contains(essence(mimeType));
  }

  /** For messages: the accepted types, sorted. */
  public static String supported() {
    return String.join(", ", new java.util.TreeSet<>(union()));
  }

  private static Set<String> union() {
    var all = new java.util.HashSet<>(MEDIA);
    all.addAll(TEXT);
    return all;
  }
}
