package dev.sieve.labels;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaPart;
import dev.sieve.demo.FileMedia;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads label definitions from YAML (format in the README, example in {@code examples/labels.yaml}):
 *
 * <pre>
 * labels:
 *   - id: sports
 *     kind: category            # or moderation
 *     description: Sports news and match reports
 *     examples:
 *       - text: The striker scored twice in the derby
 *       - file: stadium.jpg       # file (relative to the YAML file), uri + mimeType, data (base64) + mimeType
 *     negatives:
 *       - text: The stock market rallied
 *     threshold: 0.35             # category: minimum score
 *   - id: threats
 *     kind: moderation
 *     examples: [{text: I will hurt you if you come here again}]
 *     review: 0.45                # REVIEW at or above
 *     block: 0.60                 # BLOCK at or above
 *     enabled: true
 * </pre>
 *
 * The whole file is checked before anything is returned; every problem is reported with its line.
 */
public final class LabelFile {

  private static final ObjectMapper YAML = new ObjectMapper(
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final Set<String> LABEL_FIELDS = Set.of(
      "id", "kind", "description", "examples", "negatives", "threshold", "review", "block", "enabled");
  private static final Set<String> EXAMPLE_FIELDS = Set.of("text", "file", "uri", "data", "mimeType");

  /** A YAML value and the line it starts on. */
  private record Located(JsonNode node, int line) {}

  private final Path baseDir;
  private final List<LabelFileException.Problem> problems = new ArrayList<>();

  private LabelFile(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** Reads {@code file}; example files are resolved against its folder. */
  public static List<LabelDefinition> read(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(reader, file.toAbsolutePath().getParent(), file.toString());
    } catch (IOException e) {
      throw new LabelFileException(file.toString(), List.of(new LabelFileException.Problem(0,
          "cannot read the file: " + e.getMessage())));
    }
  }

  /**
   * @param name how to name the source in errors
   * @throws LabelFileException listing every problem, each with its line
   */
  public static List<LabelDefinition> read(Reader yaml, Path baseDir, String name) {
    LabelFile file = new LabelFile(baseDir);
    List<LabelDefinition> labels = file.parse(yaml);
    if (!file.problems.isEmpty()) {
      throw new LabelFileException(name, file.problems);
    }
    return labels;
  }

  private List<LabelDefinition> parse(Reader yaml) {
    List<LabelDefinition> labels = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(yaml)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        problem(line(parser), "expected a mapping with a 'labels' list at the top");
        return labels;
      }
      boolean found = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        int line = line(parser);
        parser.nextToken();
        if (!field.equals("labels")) {
          problem(line, "unknown top-level field '" + field + "'; expected 'labels'");
          parser.skipChildren();
          continue;
        }
        found = true;
        if (parser.currentToken() != JsonToken.START_ARRAY) {
          problem(line, "'labels' must be a list");
          parser.skipChildren();
          continue;
        }
        Map<String, Integer> firstLine = new HashMap<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          int labelLine = line(parser);
          LabelDefinition label = label(parser, labelLine, firstLine);
          if (label != null) {
            labels.add(label);
          }
        }
      }
      if (!found) {
        problem(1, "no 'labels' list");
      }
    } catch (JsonProcessingException e) {
      problem(e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not valid YAML: " + e.getOriginalMessage().replaceAll("\\s+", " "));
    } catch (IOException e) {
      problem(0, "cannot read: " + e.getMessage());
    }
    return labels;
  }

  /** One label, or null when it has problems (recorded). */
  private LabelDefinition label(JsonParser parser, int labelLine, Map<String, Integer> firstLine) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      problem(labelLine, "each label must be a mapping with at least 'id' and 'kind'");
      parser.skipChildren();
      return null;
    }
    Map<String, Located> fields = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      int line = line(parser);
      parser.nextToken();
      fields.put(name, new Located(name.equals("examples") || name.equals("negatives")
          ? locatedList(parser, name, line) : YAML.readTree(parser), line));
    }
    int before = problems.size();
    String id = fields.containsKey("id") ? fields.get("id").node().asText() : "?";
    String where = "label '" + id + "': ";
    Integer first = id.equals("?") ? null : firstLine.putIfAbsent(id, labelLine);
    if (first != null) {
      problem(labelLine, where + "duplicate id (first defined at line " + first + ")");
    }
    for (var field : fields.entrySet()) {
      if (!LABEL_FIELDS.contains(field.getKey())) {
        problem(field.getValue().line(), where + "unknown field '" + field.getKey() + "' (known: "
            + String.join(", ", LABEL_FIELDS.stream().sorted().toList()) + ")");
      }
    }
    LabelDefinition.Builder label = LabelDefinition.newBuilder().setId(id.equals("?") ? null : id);
    Located kind = fields.get("kind");
    if (kind == null) {
      problem(labelLine, where + "kind: missing (category or moderation)");
    } else {
      String value = kind.node().asText().toUpperCase(Locale.ROOT);
      if (value.equals("CATEGORY") || value.equals("MODERATION")) {
        label.setKind(LabelKind.valueOf(value));
      } else {
        problem(kind.line(), where + "kind: '" + kind.node().asText() + "' is neither category nor moderation");
      }
    }
    label.setDescription(text(fields.get("description"), where + "description"));
    label.setExamples(parts(fields.get("examples"), where + "examples"));
    label.setNegativeExamples(parts(fields.get("negatives"), where + "negatives"));
    label.setThreshold(number(fields.get("threshold"), where + "threshold"));
    label.setReviewThreshold(number(fields.get("review"), where + "review"));
    label.setBlockThreshold(number(fields.get("block"), where + "block"));
    Located enabled = fields.get("enabled");
    if (enabled != null && !enabled.node().isBoolean()) {
      problem(enabled.line(), where + "enabled: must be true or false");
    }
    label.setEnabled(enabled == null || enabled.node().asBoolean(true));
    if (problems.size() > before || !label.hasKind()) {
      return null;
    }
    LabelDefinition definition = label.build();
    for (LabelProblem problem : LabelValidator.problems(definition)) {
      problem(lineOf(problem.field(), fields, labelLine), problem.toString());
    }
    return problems.size() > before ? null : definition;
  }

  /** A list whose items keep their lines: an array node of {@code {"line":n,"value":item}}. */
  private JsonNode locatedList(JsonParser parser, String field, int fieldLine) throws IOException {
    var list = YAML.createArrayNode();
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      problem(fieldLine, "'" + field + "' must be a list of examples (- text: ...)");
      parser.skipChildren();
      return list;
    }
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      int line = line(parser);
      list.addObject().put("line", line).set("value", YAML.readTree(parser));
    }
    return list;
  }

  private List<MediaPart> parts(Located list, String where) {
    List<MediaPart> parts = new ArrayList<>();
    if (list == null) {
      return parts;
    }
    JsonNode items = list.node();
    for (int i = 0; i < items.size(); i++) {
      int line = items.get(i).get("line").asInt();
      JsonNode item = items.get(i).get("value");
      String at = where + "[" + (i + 1) + "]: ";
      if (item.isTextual()) {
        parts.add(MediaPart.newBuilder().setText(item.asText()).build());
        continue;
      }
      if (!item.isObject()) {
        problem(line, at + "an example is '- text: ...', or a mapping with file, uri or data");
        continue;
      }
      List<String> unknown = new ArrayList<>();
      item.fieldNames().forEachRemaining(f -> {
        if (!EXAMPLE_FIELDS.contains(f)) {
          unknown.add(f);
        }
      });
      if (!unknown.isEmpty()) {
        problem(line, at + "unknown field(s) " + unknown + " (known: data, file, mimeType, text, uri)");
        continue;
      }
      MediaPart part = part(item, line, at);
      if (part != null) {
        parts.add(part);
      }
    }
    return parts;
  }

  private MediaPart part(JsonNode item, int line, String at) {
    MediaPart.Builder part = MediaPart.newBuilder();
    if (item.hasNonNull("mimeType")) {
      part.setMimeType(item.get("mimeType").asText());
    }
    if (item.hasNonNull("text")) {
      part.setText(item.get("text").asText());
    }
    if (item.hasNonNull("uri")) {
      part.setUri(item.get("uri").asText());
    }
    if (item.hasNonNull("data")) {
      try {
        part.setData(ByteBuffer.wrap(Base64.getDecoder().decode(item.get("data").asText())));
      } catch (IllegalArgumentException e) {
        problem(line, at + "data: not base64: " + e.getMessage());
        return null;
      }
    }
    if (item.hasNonNull("file")) {
      Path file = baseDir.resolve(item.get("file").asText());
      byte[] content;
      try {
        content = Files.readAllBytes(file);
      } catch (IOException e) {
        problem(line, at + "file: cannot read " + file + ": " + e.getMessage());
        return null;
      }
      String mimeType = part.getMimeType() != null ? part.getMimeType()
          : FileMedia.mimeType(file.getFileName().toString(), content);
      part.setMimeType(mimeType);
      if (mimeType.startsWith("text/") && part.getText() == null) {
        part.setText(new String(content, StandardCharsets.UTF_8));
      } else {
        part.setData(ByteBuffer.wrap(content));
      }
    }
    return part.build();
  }

  private String text(Located value, String where) {
    if (value == null || value.node().isNull()) {
      return null;
    }
    if (!value.node().isValueNode()) {
      problem(value.line(), where + ": must be text");
      return null;
    }
    return value.node().asText();
  }

  private Float number(Located value, String where) {
    if (value == null || value.node().isNull()) {
      return null;
    }
    if (!value.node().isNumber()) {
      problem(value.line(), where + ": '" + value.node().asText() + "' is not a number");
      return null;
    }
    return value.node().floatValue();
  }

  /** The line of a field named as {@link LabelValidator} names it ({@code examples[2]} → that example's line). */
  private static int lineOf(String field, Map<String, Located> fields, int labelLine) {
    int bracket = field.indexOf('[');
    String name = bracket < 0 ? field : field.substring(0, bracket);
    Located located = fields.get(name);
    if (located == null) {
      return labelLine;
    }
    if (bracket > 0) {
      int index = Integer.parseInt(field.substring(bracket + 1, field.length() - 1)) - 1;
      JsonNode item = located.node().get(index);
      return item == null ? located.line() : item.get("line").asInt();
    }
    return located.line();
  }

  private static int line(JsonParser parser) {
    return parser.currentTokenLocation().getLineNr();
  }

  private void problem(int line, String message) {
    problems.add(new LabelFileException.Problem(line, message));
  }
}
