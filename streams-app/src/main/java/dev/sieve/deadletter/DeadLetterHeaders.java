package dev.sieve.deadletter;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Headers a dead-letter record carries besides the original record's own headers. The record's
 * key and value are the original bytes, so a fixed record can be replayed as it was.
 */
public final class DeadLetterHeaders {

  public static final String REASON = "sieve.dlq.reason";
  public static final String STAGE = "sieve.dlq.stage";
  public static final String MESSAGE = "sieve.dlq.message";
  public static final String SOURCE_TOPIC = "sieve.dlq.source.topic";
  public static final String SOURCE_PARTITION = "sieve.dlq.source.partition";
  public static final String SOURCE_OFFSET = "sieve.dlq.source.offset";

  /** Messages can quote user input; bound them so one record cannot bloat the topic. */
  static final int MAX_MESSAGE_CHARS = 2_000;

  private DeadLetterHeaders() {}

  /** Adds the rejection and the source coordinates (when known) to {@code headers}. */
  public static Headers annotate(Headers headers, Rejection rejection, String topic, int partition, long offset) {
    String message = rejection.message();
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
    headers.remove(REASON).remove(STAGE).remove(MESSAGE)
        .remove(SOURCE_TOPIC).remove(SOURCE_PARTITION).remove(SOURCE_OFFSET);
    headers.add(REASON, utf8(rejection.reason()))
        .add(STAGE, utf8(rejection.stage().code()))
        .add(MESSAGE, utf8(message));
    if (topic != null) {
      headers.add(SOURCE_TOPIC, utf8(topic))
          .add(SOURCE_PARTITION, utf8(Integer.toString(partition)))
          .add(SOURCE_OFFSET, utf8(Long.toString(offset)));
    }
    return headers;
  }

  /** The value of header {@code name} as text, or null. */
  public static String text(Headers headers, String name) {
    var header = headers.lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
