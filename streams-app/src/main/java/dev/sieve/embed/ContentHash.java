package dev.sieve.embed;

import dev.sieve.avro.MediaPart;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Identifies a content exactly: equal hashes mean the same parts in the same order with the same
 * {@linkplain EmbeddedAttributes embedded attributes}. Used for exact-duplicate detection and as
 * an embedding cache key.
 *
 * <p>Definition (lower-case hex of a SHA-256 digest), so that other components can reproduce it.
 * Every length below is the byte length of what follows it, as a 4-byte big-endian integer.
 *
 * <ol>
 *   <li>For each part, in order:
 *       <ol>
 *         <li>one kind byte: ASCII {@code 'D'} when {@code data} is set, else {@code 'T'} when
 *             {@code text} is set, else {@code 'U'} when {@code uri} is set (a part without any
 *             payload is rejected);
 *         <li>length, then the UTF-8 bytes of {@code mimeType} (empty when null);
 *         <li>length, then the payload: the remaining bytes of {@code data}, or the UTF-8 bytes of
 *             {@code text} or {@code uri}.
 *       </ol>
 *   <li>Then for each of {@code title} and {@code caption}, in that order, when the attribute is
 *       present (non-null): the byte {@code 'A'}, length, UTF-8 key, length, UTF-8 value. Other
 *       attributes are not hashed.
 * </ol>
 *
 * The length prefixes make the encoding unambiguous: a text part "ab" and the parts "a", "b"
 * hash differently.
 */
public final class ContentHash {

  private ContentHash() {}

  /** The hash of one content; does not move the position of any part's {@code data} buffer. */
  public static String of(List<MediaPart> parts, Map<String, String> attributes) {
    MessageDigest digest = sha256();
    for (MediaPart part : parts) {
      if (part.getData() != null) {
        updatePart(digest, 'D', part.getMimeType(), part.getData().duplicate());
      } else if (part.getText() != null) {
        updatePart(digest, 'T', part.getMimeType(), utf8(part.getText()));
      } else if (part.getUri() != null) {
        updatePart(digest, 'U', part.getMimeType(), utf8(part.getUri()));
      } else {
        throw new IllegalArgumentException("media part has no data, text or uri");
      }
    }
    for (String key : EmbeddedAttributes.KEYS) {
      String value = attributes.get(key);
      if (value != null) {
        digest.update((byte) 'A');
        updateSized(digest, utf8(key));
        updateSized(digest, utf8(value));
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void updatePart(MessageDigest digest, char kind, String mimeType, ByteBuffer payload) {
    digest.update((byte) kind);
    updateSized(digest, utf8(mimeType == null ? "" : mimeType));
    updateSized(digest, payload);
  }

  private static void updateSized(MessageDigest digest, ByteBuffer bytes) {
    digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(0, bytes.remaining()));
    digest.update(bytes);
  }

  private static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
