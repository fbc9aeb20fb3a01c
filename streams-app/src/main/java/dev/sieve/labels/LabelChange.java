package dev.sieve.labels;

import dev.sieve.avro.LabelDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What applying one label of a file would do to the labels topic.
 *
 * @param differences the changed fields, e.g. {@code review 0.45 → 0.5}; empty unless CHANGED
 */
public record LabelChange(String id, Type type, List<String> differences, LabelDefinition definition) {

  /** NEW and CHANGED labels are written; UNCHANGED ones are not. */
  public enum Type { NEW, CHANGED, UNCHANGED }

  /** The change of every label in {@code desired}, against the labels now on the topic. */
  public static List<LabelChange> plan(List<LabelDefinition> desired, Map<String, LabelDefinition> current) {
    List<LabelChange> changes = new ArrayList<>();
    for (LabelDefinition label : desired) {
      LabelDefinition before = current.get(label.getId());
      if (before == null) {
        changes.add(new LabelChange(label.getId(), Type.NEW, List.of(), label));
      } else if (DefinitionHash.of(before).equals(DefinitionHash.of(label))) {
        changes.add(new LabelChange(label.getId(), Type.UNCHANGED, List.of(), label));
      } else {
        changes.add(new LabelChange(label.getId(), Type.CHANGED, differences(before, label), label));
      }
    }
    return changes;
  }

  public boolean writes() {
    return type != Type.UNCHANGED;
  }

  @Override
  public String toString() {
    return switch (type) {
      case NEW -> "+ " + id + " (new " + definition.getKind().name().toLowerCase() + ")";
      case CHANGED -> "~ " + id + ": " + String.join(", ", differences);
      case UNCHANGED -> "= " + id + " (unchanged)";
    };
  }

  private static List<String> differences(LabelDefinition a, LabelDefinition b) {
    List<String> out = new ArrayList<>();
    compare(out, "kind", a.getKind(), b.getKind());
    compare(out, "description", a.getDescription(), b.getDescription());
    if (!a.getExamples().equals(b.getExamples())) {
      out.add("examples (" + a.getExamples().size() + " → " + b.getExamples().size() + ")");
    }
    if (!a.getNegativeExamples().equals(b.getNegativeExamples())) {
      out.add("negatives (" + a.getNegativeExamples().size() + " → " + b.getNegativeExamples().size() + ")");
    }
    compare(out, "threshold", a.getThreshold(), b.getThreshold());
    compare(out, "review", a.getReviewThreshold(), b.getReviewThreshold());
    compare(out, "block", a.getBlockThreshold(), b.getBlockThreshold());
    compare(out, "enabled", a.getEnabled(), b.getEnabled());
    return out;
  }

  private static void compare(List<String> out, String field, Object before, Object after) {
    if (!Objects.equals(before, after)) {
      out.add(field + " " + (field.equals("description") ? "changed" : before + " → " + after));
    }
  }
}
