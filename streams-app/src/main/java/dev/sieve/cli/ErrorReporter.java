package dev.sieve.cli;

import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints a failed command's cause as one readable line (the stack trace only with
 * {@code SIEVE_DEBUG=1}) and picks the exit code: 2 for configuration errors, 1 otherwise.
 */
final class ErrorReporter implements IExecutionExceptionHandler {

  static final int CONFIG_ERROR = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
    boolean config = e instanceof ConfigException || e instanceof IllegalArgumentException || causedByConfig(e);
    cli.getErr().println(cli.getColorScheme().errorText(
        (config ? "sieve: invalid configuration: " : "sieve: ") + describe(e)));
    if (System.getenv("SIEVE_DEBUG") != null) {
      e.printStackTrace(cli.getErr());
    }
    return config ? CONFIG_ERROR : 1;
  }

  /** A Kafka client refusing its settings (e.g. Kafka Streams making its admin client). */
  private static boolean causedByConfig(Throwable e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof ConfigException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The message and, where a Kafka wrapper says only "Failed to create ...", the messages of its
   * causes, each once: the setting at fault is usually named by the innermost.
   */
  static String describe(Throwable e) {
    StringBuilder line = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      String message = cause.getMessage();
      if (message != null && line.indexOf(message) < 0) {
        line.append(": ").append(message);
      }
    }
    return line.toString();
  }
}
