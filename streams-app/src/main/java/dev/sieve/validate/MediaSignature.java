package dev.sieve.validate;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Whether inline bytes are what their declared media type says, from the first bytes only (no
 * decoding): the signature of PNG, JPEG, PDF, WAV, MP3 and MP4/MOV, and strict UTF-8 for text.
 * Bytes that lie about their type are refused before a provider spends work on them (or, worse,
 * embeds an image's bytes as text).
 */
final class MediaSignature {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
  private static final byte[] PDF = {'%', 'P', 'D', 'F', '-'};
  private static final byte[] ID3 = {'I', 'D', '3'};
  /** PDF readers accept the header anywhere in the first KiB. */
  private static final int PDF_HEADER_WINDOW = 1024;

  private MediaSignature() {}

  /** Empty when {@code data} looks like {@code mimeType}, else what is wrong, in words. */
  static Optional<String> mismatch(String mimeType, ByteBuffer data) {
    String essence = MimeTypes.essence(mimeType);
    ByteBuffer bytes = data.duplicate();
    if (MimeTypes.isText(essence)) {
      String binary = binaryKind(bytes);
      return binary == null ? Optional.empty() : Optional.of("declares " + essence + " but holds " + binary + " bytes");
    }
    boolean matches = switch (essence) {
      case "image/png" -> startsWith(bytes, 0, PNG);
      case "image/jpeg" -> startsWith(bytes, 0, JPEG);
      case MimeTypes.PDF -> pdfHeaderAt(bytes) >= 0;
      case "audio/wav", "audio/x-wav" -> startsWith(bytes, 0, "RIFF".getBytes(StandardCharsets.US_ASCII))
          && startsWith(bytes, 8, "WAVE".getBytes(StandardCharsets.US_ASCII));
      case "audio/mpeg", "audio/mp3" -> startsWith(bytes, 0, ID3) || mpegFrameSync(bytes);
      case "video/mp4", "video/quicktime" -> isoBox(bytes);
      default -> true;
    };
    return matches ? Optional.empty() : Optional.of("declares " + essence + " but its bytes do not start like one"
        + (binaryKind(bytes) == null ? "" : " (they are " + binaryKind(bytes) + ")"));
  }

  /** Whether the bytes are well-formed UTF-8. */
  static boolean isUtf8(ByteBuffer data) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(data.duplicate());
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The name of a binary format the bytes start with, or null. */
  private static String binaryKind(ByteBuffer bytes) {
    if (startsWith(bytes, 0, PNG)) {
      return "PNG";
    }
    if (startsWith(bytes, 0, JPEG)) {
      return "JPEG";
    }
    if (startsWith(bytes, 0, PDF)) {
      return "PDF";
    }
    if (isoBox(bytes)) {
      return "MP4";
    }
    return null;
  }

  private static int pdfHeaderAt(ByteBuffer bytes) {
    int window = Math.min(bytes.remaining(), PDF_HEADER_WINDOW);
    for (int at = 0; at + PDF.length <= window; at++) {
      if (startsWith(bytes, at, PDF)) {
        return at;
      }
    }
    return -1;
  }

  private static boolean mpegFrameSync(ByteBuffer bytes) {
    return bytes.remaining() >= 2 && (bytes.get(bytes.position()) & 0xff) == 0xff
        && (bytes.get(bytes.position() + 1) & 0xe0) == 0xe0;
  }

  /** An ISO base media file starts with a box of a known top-level type. */
  private static boolean isoBox(ByteBuffer bytes) {
    if (bytes.remaining() < 8) {
      return false;
    }
    String type = new String(new byte[] {bytes.get(bytes.position() + 4), bytes.get(bytes.position() + 5),
        bytes.get(bytes.position() + 6), bytes.get(bytes.position() + 7)}, StandardCharsets.ISO_8859_1);
    return switch (type) {
      case "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot" -> true;
      default -> false;
    };
  }

  private static boolean startsWith(ByteBuffer bytes, int offset, byte[] prefix) {
    if (bytes.remaining() < offset + prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes.get(bytes.position() + offset + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
