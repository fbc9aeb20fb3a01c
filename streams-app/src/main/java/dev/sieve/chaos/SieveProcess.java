package dev.sieve.chaos;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code sieve run} in a child JVM on this JVM's class path, with its output appended to a log
 * file: the application under test, which the chaos run kills with SIGKILL and starts again.
 * Secrets go through the environment, never the command line (which {@code ps} shows).
 */
final class SieveProcess {

  private static final String MAIN = "dev.sieve.cli.SieveCommand";

  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private Process process;
  private int starts;

  /**
   * @param settings {@code -D} settings of {@code sieve run}
   * @param environment added to this process's environment (e.g. the provider's API key)
   */
  SieveProcess(Map<String, String> settings, Map<String, String> environment, String heap, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-cp");
    command.add(absoluteClassPath());
    command.add(MAIN);
    command.add("run");
    settings.forEach((key, value) -> {
      command.add("-D");
      command.add(key + "=" + value);
    });
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.log = log;
  }

  /** Starts the application; it must not be running. */
  synchronized void start() {
    if (alive()) {
      throw new IllegalStateException("the application is already running (pid " + process.pid() + ")");
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    try {
      process = builder.start();
      starts++;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + MAIN + " run", e);
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** Exit code of the last process if it has ended (without being killed by us), else null. */
  synchronized Integer exitCode() {
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  synchronized int starts() {
    return starts;
  }

  /** SIGKILL: no shutdown hook runs, no commit, no transaction abort. Returns once it is dead. */
  synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.toHandle().destroyForcibly();
      process.waitFor();
    }
  }

  /** SIGTERM, and SIGKILL if it has not stopped within {@code grace}. */
  synchronized void stop(Duration grace) throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    }
  }

  /**
   * This JVM's class path with absolute entries, valid whatever the child's working directory
   * ({@code java -jar sieve.jar} reports the jar as given on its command line).
   */
  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(entry -> Paths.get(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
