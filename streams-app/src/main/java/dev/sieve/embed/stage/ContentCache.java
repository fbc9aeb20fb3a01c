package dev.sieve.embed.stage;

import dev.sieve.avro.ModelSpace;
import dev.sieve.embed.Embedding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Vectors of contents already embedded, by {@linkplain dev.sieve.embed.ContentHash content hash}
 * within one model space, in one task's changelogged store, so a repeated content costs no model
 * call. Bounded: beyond {@code capacity} entries the oldest written is evicted.
 *
 * <p>One store holds two key spaces: {@code v|SPACE|HASH} → vector, and {@code o|SEQUENCE} → the
 * vector's key in write order, so that the oldest entry is found by reading the first key of a
 * range and start-up only reads the small order keys.
 */
final class ContentCache {

  private static final String VECTOR_PREFIX = "v|";
  private static final String ORDER_PREFIX = "o|";
  // '}' follows '|' in ASCII: [o|, o}) is every order key.
  private static final String ORDER_END = "o}";

  private final KeyValueStore<String, byte[]> store;
  private final int capacity;
  private final String spacePrefix;
  private final CacheStatistics statistics;
  private long size;
  private long nextSequence;

  ContentCache(KeyValueStore<String, byte[]> store, int capacity, ModelSpace space, CacheStatistics statistics) {
    this.store = store;
    this.capacity = capacity;
    this.spacePrefix = VECTOR_PREFIX + spaceId(space) + "|";
    this.statistics = statistics;
    try (var order = store.range(ORDER_PREFIX, ORDER_END)) {
      while (order.hasNext()) {
        nextSequence = Long.parseLong(order.next().key.substring(ORDER_PREFIX.length())) + 1;
        size++;
      }
    }
  }

  /** The cached vector of a content, counted as a hit or a miss. */
  Optional<Embedding> lookup(String contentHash) {
    byte[] bytes = capacity == 0 ? null : store.get(spacePrefix + contentHash);
    if (bytes == null) {
      statistics.miss();
      return Optional.empty();
    }
    statistics.hit();
    return Optional.of(decode(bytes));
  }

  void put(String contentHash, Embedding embedding) {
    if (capacity == 0) {
      return;
    }
    String key = spacePrefix + contentHash;
    if (store.get(key) != null) {
      return;
    }
    while (size >= capacity) {
      evictOldest();
    }
    store.put(key, encode(embedding));
    store.put(orderKey(nextSequence++), key.getBytes(StandardCharsets.UTF_8));
    size++;
  }

  private void evictOldest() {
    try (var order = store.range(ORDER_PREFIX, ORDER_END)) {
      var oldest = order.next();
      store.delete(new String(oldest.value, StandardCharsets.UTF_8));
      store.delete(oldest.key);
      size--;
    }
  }

  private static String orderKey(long sequence) {
    return ORDER_PREFIX + String.format("%019d", sequence);
  }

  private static byte[] encode(Embedding embedding) {
    float[] vector = embedding.vector();
    ByteBuffer buffer = ByteBuffer.allocate(1 + Integer.BYTES + vector.length * Float.BYTES);
    buffer.put((byte) (embedding.truncated() ? 1 : 0)).putInt(vector.length);
    buffer.asFloatBuffer().put(vector);
    return buffer.array();
  }

  private static Embedding decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    boolean truncated = buffer.get() == 1;
    float[] vector = new float[buffer.getInt()];
    buffer.asFloatBuffer().get(vector);
    return new Embedding(vector, truncated);
  }

  /** Provider, model, dimensions and a digest of the instruction (which can be long). */
  private static String spaceId(ModelSpace space) {
    return space.getProvider() + "/" + space.getModel() + "/" + space.getDimensions() + "/"
        + sha256(space.getInstruction()).substring(0, 16);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
