package dev.sieve.cli;

import dev.sieve.config.SieveConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code sieve config}: prints the settings reference, generated from the definitions. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Print every Sieve setting with its type, default and valid values (Markdown).")
final class ConfigCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.out.print(SieveConfig.markdownTable());
    return 0;
  }
}
