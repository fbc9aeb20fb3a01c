package dev.sieve.labels;

/**
 * What is wrong with one field of a label definition.
 *
 * @param label the label's id ({@code "?"} when it has none)
 * @param field the field, as in the YAML file: {@code threshold}, {@code examples[2]}, ...
 */
public record LabelProblem(String label, String field, String message) {

  @Override
  public String toString() {
    return "label '" + label + "': " + field + ": " + message;
  }
}
