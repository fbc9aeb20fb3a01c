package dev.sieve.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One case of the hostile-input corpus ({@code src/test/resources/hostile/cases.json}): what is
 * sent ({@code input}, described small and generated at test time), to which deployment ({@code
 * service}: {@code local}, {@code gemini} with the SSRF guard on, {@code gemini-open} with private
 * addresses allowed to reach the trap server), and where it must end.
 *
 * @param dlq {@code stage/reason} of the one dead letter expected under the case's key, or null
 * @param results result records (categories and moderation) expected under {@code resultKey}
 * @param refused simple class name of the error the broker answers the produce with, or null
 * @param labelsCompiled labels of a flood that must all be compiled
 * @param handling why an accepted case is safe, for the README
 */
record HostileCase(String name, String service, String covers, JsonNode input, String dlq, int results,
    String resultKey, String refused, int labelsCompiled, String handling) {

  static final String MANIFEST = "/hostile/cases.json";

  static List<HostileCase> load() {
    try (InputStream in = HostileCase.class.getResourceAsStream(MANIFEST)) {
      List<HostileCase> cases = new ArrayList<>();
      for (JsonNode node : new ObjectMapper().readTree(in)) {
        JsonNode expect = node.get("expect");
        String name = node.get("name").asText();
        cases.add(new HostileCase(name, node.get("service").asText(), node.get("covers").asText(),
            node.get("input"), text(expect, "dlq"), expect.path("results").asInt(0),
            expect.has("resultKey") ? expect.get("resultKey").asText() : name, text(expect, "refused"),
            expect.path("labelsCompiled").asInt(0), text(node, "handling")));
      }
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The outcome in words: the dead letter, the results, or the refusal. */
  String outcome() {
    List<String> parts = new ArrayList<>();
    if (dlq != null) {
      parts.add("DLQ `" + dlq + "`");
    }
    if (results > 0) {
      parts.add(results + " result" + (results > 1 ? "s" : "") + " per result topic");
    }
    if (refused != null) {
      parts.add("refused by the broker (" + refused + ")");
    }
    if (labelsCompiled > 0) {
      parts.add(labelsCompiled + " labels compiled");
    }
    return String.join(" + ", parts);
  }

  private static String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }
}
