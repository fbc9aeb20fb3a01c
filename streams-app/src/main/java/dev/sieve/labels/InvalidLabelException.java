package dev.sieve.labels;

/** A label that cannot be compiled; {@link #reason()} is a stable code for the dead-letter topic. */
public final class InvalidLabelException extends RuntimeException {

  /** The definition breaks a rule (see {@link LabelValidator}). */
  public static final String INVALID_LABEL = "invalid-label";
  /** The provider cannot embed one of its examples. */
  public static final String UNEMBEDDABLE_EXAMPLE = "unembeddable-example";

  private final String reason;
  private final LabelProblem problem;

  public InvalidLabelException(String reason, LabelProblem problem) {
    super(problem.toString());
    this.reason = reason;
    this.problem = problem;
  }

  public String reason() {
    return reason;
  }

  public LabelProblem problem() {
    return problem;
  }
}
