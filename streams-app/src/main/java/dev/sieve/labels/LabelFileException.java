package dev.sieve.labels;

import java.util.List;

/** A label file that cannot be applied: every problem found, each with its line. */
public final class LabelFileException extends RuntimeException {

  /** One problem at a line of the file (0 when the file as a whole is at fault). */
  public record Problem(int line, String message) {
    @Override
    public String toString() {
      return line > 0 ? "line " + line + ": " + message : message;
    }
  }

  private final List<Problem> problems;

  public LabelFileException(String file, List<Problem> problems) {
    super(file + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + ", nothing written\n  "
        + String.join("\n  ", problems.stream().map(Problem::toString).toList()));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
