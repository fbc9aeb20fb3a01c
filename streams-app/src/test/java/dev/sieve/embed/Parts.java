package dev.sieve.embed;

import dev.sieve.avro.MediaPart;
import java.nio.ByteBuffer;

/** Media parts for tests. */
public final class Parts {

  private Parts() {}

  public static MediaPart text(String text) {
    return MediaPart.newBuilder().setText(text).build();
  }

  public static MediaPart data(String mimeType, byte[] bytes) {
    return MediaPart.newBuilder().setMimeType(mimeType).setData(ByteBuffer.wrap(bytes)).build();
  }

  public static MediaPart uri(String mimeType, String uri) {
    return MediaPart.newBuilder().setMimeType(mimeType).setUri(uri).build();
  }
}
