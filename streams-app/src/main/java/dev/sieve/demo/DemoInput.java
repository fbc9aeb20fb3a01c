package dev.sieve.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the demo's JSON Lines input, one event per line (see README, "Demo input"):
 *
 * <pre>
 * {"id":"e1","text":"…","attributes":{"title":"…"}}
 * {"id":"e2","file":"path/to/photo.jpg","text":"optional caption"}
 * {"id":"e3","data":"&lt;base64&gt;","mimeType":"image/png"}
 * {"id":"e4","uri":"https://…","mimeType":"video/mp4"}
 * {"id":"e5","parts":[{"text":"…"},{"file":"scan.pdf"}],"scope":"tenant-a","occurredAt":"2026-01-01T00:00:00Z"}
 * {"id":"e6","raw":"not avro"}   ← these bytes are sent as they are, to show the dead-letter path
 * </pre>
 *
 * A line that cannot be understood is reported with its number and skipped; it never stops the
 * demo. Relative file paths are resolved against the input file's folder.
 */
public final class DemoInput {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A skipped input line. */
  public record Problem(int line, String message) {}

  /** What was read: the records to produce and the lines skipped. */
  public record Parsed(List<DemoRecord> records, List<Problem> problems) {}

  private final Path baseDir;
  private final Instant now;

  public DemoInput(Path baseDir, Instant now) {
    this.baseDir = baseDir;
    this.now = now;
  }

  public Parsed read(BufferedReader lines) {
    List<DemoRecord> records = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    int number = 0;
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        number++;
        if (line.isBlank() || line.stripLeading().startsWith("//")) {
          continue;
        }
        try {
          records.add(parse(JSON.readTree(line)));
        } catch (JsonProcessingException e) {
          problems.add(new Problem(number, "not valid JSON: " + e.getOriginalMessage()));
        } catch (InvalidLineException e) {
          problems.add(new Problem(number, e.getMessage()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Parsed(records, problems);
  }

  private DemoRecord parse(JsonNode line) {
    if (!line.isObject()) {
      throw new InvalidLineException("expected a JSON object");
    }
    String id = text(line, "id");
    if (id == null || id.isBlank()) {
      throw new InvalidLineException("missing \"id\"");
    }
    if (line.has("raw")) {
      return DemoRecord.raw(id, text(line, "raw").getBytes(StandardCharsets.UTF_8));
    }
    if (line.has("rawBase64")) {
      return DemoRecord.raw(id, base64(line, "rawBase64"));
    }
    List<MediaPart> parts = new ArrayList<>();
    if (line.has("parts")) {
      if (!line.get("parts").isArray()) {
        throw new InvalidLineException("\"parts\" must be an array");
      }
      for (JsonNode part : line.get("parts")) {
        parts.add(part(part));
      }
    } else {
      // Shorthand: a file/data/uri payload, plus text as its caption (or alone).
      if (line.has("file") || line.has("data") || line.has("uri")) {
        parts.add(part(withoutText(line)));
      }
      if (line.has("text")) {
        parts.add(MediaPart.newBuilder().setText(text(line, "text")).build());
      }
    }
    return DemoRecord.event(MediaEvent.newBuilder()
        .setId(id)
        .setOccurredAt(occurredAt(line))
        .setSource(line.has("source") ? text(line, "source") : "sieve-demo")
        .setScope(text(line, "scope"))
        .setParts(parts)
        .setAttributes(attributes(line))
        .build());
  }

  /** A part as written: payload fields are copied as given, so invalid parts reach Sieve's validation. */
  private MediaPart part(JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidLineException("each part must be a JSON object");
    }
    MediaPart.Builder part = MediaPart.newBuilder().setMimeType(text(node, "mimeType"));
    if (node.has("text")) {
      part.setText(text(node, "text"));
    }
    if (node.has("data")) {
      part.setData(ByteBuffer.wrap(base64(node, "data")));
    }
    if (node.has("uri")) {
      part.setUri(text(node, "uri"));
    }
    if (node.has("file")) {
      Path file = baseDir.resolve(text(node, "file"));
      byte[] content = readFile(file);
      String mimeType = part.getMimeType() != null ? part.getMimeType()
          : FileMedia.mimeType(file.getFileName().toString(), content);
      part.setMimeType(mimeType);
      if (mimeType.startsWith("text/")) {
        part.setText(new String(content, StandardCharsets.UTF_8));
      } else {
        part.setData(ByteBuffer.wrap(content));
      }
    }
    return part.build();
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidLineException("cannot read file " + file + ": " + e.getMessage());
    }
  }

  private static JsonNode withoutText(JsonNode line) {
    var copy = line.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("text");
    return copy;
  }

  private Instant occurredAt(JsonNode line) {
    JsonNode value = line.get("occurredAt");
    if (value == null || value.isNull()) {
      return now;
    }
    if (value.isIntegralNumber()) {
      return Instant.ofEpochMilli(value.asLong());
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new InvalidLineException("\"occurredAt\" must be epoch millis or ISO-8601, got " + value);
    }
  }

  private static Map<String, String> attributes(JsonNode line) {
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonNode node = line.get("attributes");
    if (node == null || node.isNull()) {
      return attributes;
    }
    if (!node.isObject()) {
      throw new InvalidLineException("\"attributes\" must be an object of strings");
    }
    node.fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
    return attributes;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isValueNode()) {
      throw new InvalidLineException("\"" + field + "\" must be a string");
    }
    return value.asText();
  }

  private static byte[] base64(JsonNode node, String field) {
    String value = text(node, field);
    if (value == null) {
      throw new InvalidLineException("\"" + field + "\" must be a base64 string");
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidLineException("\"" + field + "\" is not valid base64: " + e.getMessage());
    }
  }

  private static final class InvalidLineException extends RuntimeException {
    InvalidLineException(String message) {
      super(message);
    }
  }
}
