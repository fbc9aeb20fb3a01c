package dev.sieve.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sieve}: the command line of the Sieve service. */
@Command(
    name = "sieve",
    mixinStandardHelpOptions = true,
    versionProvider = SieveCommand.Version.class,
    description = "Real-time classification, moderation and de-duplication of media on Kafka.",
    subcommands = {DemoCommand.class, RunCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class})
public final class SieveCommand {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
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
