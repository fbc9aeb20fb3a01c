package dev.sieve.connect.report;

/**
 * Something a connector could not do with one input, reported instead of failing the task.
 *
 * @param file the input file (absolute path)
 * @param line the line in the file, 0 when the file as a whole is at fault
 * @param reason a short code: {@code vanished}, {@code unreadable}, {@code symlink-loop}, ...
 * @param message what happened, for people
 */
public record Problem(String file, int line, String reason, String message) {

  @Override
  public String toString() {
    return file + (line > 0 ? ":" + line : "") + ": " + reason + ": " + message;
  }
}
