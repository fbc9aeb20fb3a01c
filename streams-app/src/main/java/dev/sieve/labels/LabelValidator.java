package dev.sieve.labels;

import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaPart;
import dev.sieve.classify.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules a label definition must follow before it is compiled. The same rules check a YAML file
 * before anything is written and a definition read from the labels topic, so a bad label never
 * replaces a good one in the running classifier.
 */
public final class LabelValidator {

  /** Longest label id. */
  public static final int MAX_ID_LENGTH = 128;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]+");

  private LabelValidator() {}

  /** Every problem of {@code label}, in field order; empty when it may be compiled. */
  public static List<LabelProblem> problems(LabelDefinition label) {
    String id = label.getId() == null || label.getId().isBlank() ? "?" : label.getId();
    List<LabelProblem> problems = new ArrayList<>();
    if (id.equals("?")) {
      problems.add(new LabelProblem(id, "id", "missing"));
    } else if (id.length() > MAX_ID_LENGTH || !ID.matcher(id).matches()) {
      problems.add(new LabelProblem(id, "id", "must be 1-" + MAX_ID_LENGTH
          + " characters of letters, digits, '.', '_', ':' or '-'"));
    } else if (id.equals(Classifier.UNKNOWN)) {
      problems.add(new LabelProblem(id, "id", "'" + Classifier.UNKNOWN
          + "' is reserved for events no category claims"));
    }
    boolean described = label.getDescription() != null && !label.getDescription().isBlank();
    if (label.getExamples().isEmpty() && !described) {
      problems.add(new LabelProblem(id, "examples", "no examples and no description: give positive "
          + "examples, or a description alone for a zero-shot label"));
    }
    checkParts(id, "examples", label.getExamples(), problems);
    checkParts(id, "negatives", label.getNegativeExamples(), problems);
    checkRange(id, "threshold", label.getThreshold(), problems);
    checkRange(id, "review", label.getReviewThreshold(), problems);
    checkRange(id, "block", label.getBlockThreshold(), problems);
    if (label.getKind() == LabelKind.CATEGORY) {
      if (label.getReviewThreshold() != null) {
        problems.add(new LabelProblem(id, "review", "only moderation labels have a REVIEW threshold; "
            + "a category has 'threshold'"));
      }
      if (label.getBlockThreshold() != null) {
        problems.add(new LabelProblem(id, "block", "only moderation labels have a BLOCK threshold; "
            + "a category has 'threshold'"));
      }
    } else {
      if (label.getThreshold() != null) {
        problems.add(new LabelProblem(id, "threshold", "a moderation label has 'review' and 'block' "
            + "thresholds, not 'threshold'"));
      }
      if (label.getReviewThreshold() == null && label.getBlockThreshold() == null) {
        problems.add(new LabelProblem(id, "review", "a moderation label needs 'review', 'block' or both"));
      }
      if (label.getReviewThreshold() != null && label.getBlockThreshold() != null
          && label.getReviewThreshold() > label.getBlockThreshold()) {
        problems.add(new LabelProblem(id, "review", "REVIEW threshold " + label.getReviewThreshold()
            + " is above the BLOCK threshold " + label.getBlockThreshold()));
      }
    }
    return problems;
  }

  private static void checkRange(String id, String field, Float value, List<LabelProblem> problems) {
    if (value != null && !(value >= -1f && value <= 1f)) {
      problems.add(new LabelProblem(id, field, value + " is outside [-1, 1] (cosine similarity)"));
    }
  }

  private static void checkParts(String id, String field, List<MediaPart> parts, List<LabelProblem> problems) {
    for (int i = 0; i < parts.size(); i++) {
      MediaPart part = parts.get(i);
      String where = field + "[" + (i + 1) + "]";
      int payloads = (part.getText() != null ? 1 : 0) + (part.getData() != null ? 1 : 0)
          + (part.getUri() != null ? 1 : 0);
      if (payloads != 1) {
        problems.add(new LabelProblem(id, where, "needs exactly one of text, file, data or uri"));
      } else if (part.getText() != null && part.getText().isBlank()) {
        problems.add(new LabelProblem(id, where, "text is empty"));
      } else if (part.getText() == null && (part.getMimeType() == null || part.getMimeType().isBlank())) {
        problems.add(new LabelProblem(id, where, "data and uri need a mimeType"));
      } else if (part.getData() != null && !part.getData().hasRemaining()) {
        problems.add(new LabelProblem(id, where, "data is empty"));
      }
    }
  }
}
