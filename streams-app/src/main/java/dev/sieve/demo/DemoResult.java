package dev.sieve.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sieve.deadletter.DeadLetterHeaders;
import dev.sieve.serde.PlainJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One record the demo read back: a result record ({@code value}: EmbeddedMedia, CategoryResult or
 * ModerationResult) or a dead letter.
 */
record DemoResult(String topic, String key, SpecificRecord value, DeadLetter deadLetter, long receivedNanos) {

  /** A dead-letter record: why it was rejected and the original value. */
  record DeadLetter(String stage, String reason, String message, String sourceTopic,
      String sourcePartition, String sourceOffset, byte[] originalValue) {

    static DeadLetter from(Headers headers, byte[] value) {
      return new DeadLetter(
          DeadLetterHeaders.text(headers, DeadLetterHeaders.STAGE),
          DeadLetterHeaders.text(headers, DeadLetterHeaders.REASON),
          DeadLetterHeaders.text(headers, DeadLetterHeaders.MESSAGE),
          DeadLetterHeaders.text(headers, DeadLetterHeaders.SOURCE_TOPIC),
          DeadLetterHeaders.text(headers, DeadLetterHeaders.SOURCE_PARTITION),
          DeadLetterHeaders.text(headers, DeadLetterHeaders.SOURCE_OFFSET),
          value);
    }
  }

  /** {@code {"topic":…,"key":…,"value":{…}}} with the value as plain JSON. */
  ObjectNode toJson() {
    var json = JsonNodeFactory.instance;
    ObjectNode line = json.objectNode().put("topic", topic).put("key", key);
    if (value != null) {
      line.set("value", PlainJson.of(value));
      return line;
    }
    ObjectNode dead = line.putObject("value")
        .put("stage", deadLetter.stage())
        .put("reason", deadLetter.reason())
        .put("message", deadLetter.message());
    dead.putObject("source")
        .put("topic", deadLetter.sourceTopic())
        .put("partition", deadLetter.sourcePartition() == null ? null : Integer.valueOf(deadLetter.sourcePartition()))
        .put("offset", deadLetter.sourceOffset() == null ? null : Long.valueOf(deadLetter.sourceOffset()));
    byte[] original = deadLetter.originalValue();
    String text = original == null ? null : utf8(original);
    if (text != null && !text.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t' && c != '\r')) {
      dead.put("originalValue", text);
    } else {
      dead.put("originalValueBase64", original == null ? null : Base64.getEncoder().encodeToString(original));
    }
    return line;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
