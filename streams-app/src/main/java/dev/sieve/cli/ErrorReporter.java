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
    boolean config = e instanceof ConfigException || e instanceof IllegalArgumentException;
    cli.getErr().println(cli.getColorScheme().errorText(
        (config ? "sieve: invalid configuration: " : "sieve: ") + e.getMessage()));
    if (System.getenv("SIEVE_DEBUG") != null) {
      e.printStackTrace(cli.getErr());
    }
    return config ? CONFIG_ERROR : 1;
  }
}
