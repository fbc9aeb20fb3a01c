package dev.sieve.serde;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Confluent-compatible schema registry for a test class: Apicurio Registry 3.0.9 (in-memory
 * storage) in a child JVM on 127.0.0.1, from the folder Maven unpacks into {@code
 * target/apicurio} and passes as system property {@code sieve.apicurio.home}. Register as a
 * static {@code @RegisterExtension} field; it is stopped with its process tree after the class.
 */
final class ApicurioRegistry implements BeforeAllCallback, AfterAllCallback {
  private static final String HOME_PROPERTY = "sieve.apicurio.home";
  private static final String RUNNER = "apicurio-registry-app-3.0.9-runner.jar";
  private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(120);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  private Process process;
  private Path log;
  private int port;

  /** The base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
  String ccompatUrl() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path home = home();
    port = LoopbackPort.unused();
    log = home.getParent().resolve("apicurio-registry-" + port + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(List.of(java,
        "-Xmx384m", "-XX:TieredStopAtLevel=1",
        "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
        "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + LoopbackPort.unused(),
        "-jar", RUNNER))
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    awaitReady();
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Path home() {
    String property = System.getProperty(HOME_PROPERTY);
    if (property == null || !Files.isRegularFile(Path.of(property, RUNNER))) {
      throw new IllegalStateException("Apicurio Registry 3.0.9 not found: system property "
          + HOME_PROPERTY + " is " + (property == null ? "not set" : "'" + property + "' without " + RUNNER)
          + ". Run the tests through Maven (mvn -pl streams-app test), which unpacks it into "
          + "streams-app/target/apicurio in process-test-resources.");
    }
    return Path.of(property);
  }

  /** Polls the Confluent API until it answers 200, the process dies, or the deadline passes. */
  private void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/subjects"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    Instant deadline = Instant.now().plus(STARTUP_DEADLINE);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue()
            + " during start-up; log " + log + ":\n" + tail());
      }
      try {
        if (http.send(probe, BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // Keep polling until the deadline.
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
    throw new IllegalStateException("Apicurio Registry did not answer " + ccompatUrl() + "/subjects within "
        + STARTUP_DEADLINE.toSeconds() + " s; log " + log + ":\n" + tail());
  }

  private String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }
}
