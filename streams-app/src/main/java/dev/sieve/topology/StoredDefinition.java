package dev.sieve.topology;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A label definition as the compiler keeps it in {@value #STORE} (key = label id): its offset on
 * the labels topic (its version) and its bytes as read. Read by the compiler and by the HTTP
 * server's {@code GET /labels} (through interactive queries).
 */
public record StoredDefinition(long version, byte[] value) {

  public static final String STORE = "label-definitions";

  public byte[] encode() {
    return ByteBuffer.allocate(Long.BYTES + value.length).putLong(version).put(value).array();
  }

  public static StoredDefinition decode(byte[] stored) {
    return new StoredDefinition(ByteBuffer.wrap(stored).getLong(), Arrays.copyOfRange(stored, Long.BYTES, stored.length));
  }
}
