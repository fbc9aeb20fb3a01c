package dev.sieve.cli;

import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sieve}: the command line of the Sieve service. */
@Command(
    name = "sieve",
    mixinStandardHelpOptions = true,
    versionProvider = SieveCommand.Version.class,
    description = "Real-time classification, moderation and de-duplication of media on Kafka.",
    subcommands = {DemoCommand.class, RunCommand.class, LabelsCommand.class, ConfigCommand.class,
        BenchCommand.class, CommandLine.HelpCommand.class})
public final class SieveCommand {

  public static void main(String[] args) {
    int exit = commandLine().execute(args);
    // Log4j's own shutdown hook is off (see log4j2.xml), so flush and stop logging here.
    LogManager.shutdown();
    System.exit(exit);
  }

  /** The command line with Sieve's error reporting (what {@link #main} runs, without exiting). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SieveCommand());
    cli.setExecutionExceptionHandler(new ErrorReporter());
    return cli;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SieveCommand.class.getPackage().getImplementationVersion();
      return new String[] {"sieve " + (version == null ? "(development build)" : version)};
    }
  }
}
