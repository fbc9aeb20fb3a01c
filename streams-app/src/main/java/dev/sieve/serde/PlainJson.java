package dev.sieve.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as the JSON people expect: unions as their value (not Avro's {@code {"string": ...}}
 * wrapping), bytes as base64, timestamps as ISO-8601.
 */
public final class PlainJson {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private PlainJson() {}

  public static ObjectNode of(IndexedRecord record) {
    ObjectNode node = JSON.objectNode();
    for (var field : record.getSchema().getFields()) {
      node.set(field.name(), value(record.get(field.pos())));
    }
    return node;
  }

  private static JsonNode value(Object value) {
    if (value == null) {
      return JSON.nullNode();
    }
    if (value instanceof IndexedRecord record) {
      return of(record);
    }
    if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?> || value instanceof Enum<?>) {
      return JSON.textNode(value.toString());
    }
    if (value instanceof Float f) {
      return JSON.numberNode(f);
    }
    if (value instanceof Double d) {
      return JSON.numberNode(d);
    }
    if (value instanceof Integer i) {
      return JSON.numberNode(i);
    }
    if (value instanceof Long l) {
      return JSON.numberNode(l);
    }
    if (value instanceof Boolean b) {
      return JSON.booleanNode(b);
    }
    if (value instanceof Instant instant) {
      return JSON.textNode(instant.toString());
    }
    if (value instanceof ByteBuffer buffer) {
      return JSON.textNode(Base64.getEncoder().encodeToString(bytes(buffer)));
    }
    if (value instanceof Collection<?> items) {
      ArrayNode array = JSON.arrayNode();
      items.forEach(item -> array.add(value(item)));
      return array;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = JSON.objectNode();
      map.forEach((k, v) -> object.set(k.toString(), value(v)));
      return object;
    }
    return JSON.textNode(value.toString());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
