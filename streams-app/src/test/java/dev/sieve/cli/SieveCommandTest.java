package dev.sieve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SieveCommandTest {

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    var cli = SieveCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    return cli.execute(args);
  }

  @Test
  void runWithoutBootstrapServersFailsNamingTheSetting() {
    assertThat(run("run", "--registry-url", "mem://x")).isEqualTo(ErrorReporter.CONFIG_ERROR);
    assertThat(err.toString()).contains("invalid configuration").contains("bootstrap.servers");
  }

  @Test
  void anInvalidSettingFailsAtStartUpNamingItAndTheAllowedValues() {
    assertThat(run("run", "--bootstrap-servers", "127.0.0.1:1", "--registry-url", "mem://x",
        "-D", "sieve.embed.provider=openai")).isEqualTo(ErrorReporter.CONFIG_ERROR);
    assertThat(err.toString()).contains("sieve.embed.provider").contains("openai").contains("local");
  }

  @Test
  void aMissingRegistryUrlFailsNamingTheSetting() {
    assertThat(run("run", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(ErrorReporter.CONFIG_ERROR);
    assertThat(err.toString()).contains("sieve.registry.url");
  }

  @Test
  void kafkaSettingsAClientRefusesFailAtStartUpNamingTheSetting() {
    // Kafka Streams makes its admin client in its constructor, which refuses this pair of timeouts
    assertThat(run("run", "--bootstrap-servers", "127.0.0.1:1", "--registry-url", "mem://x",
        "-D", "default.api.timeout.ms=1000", "-D", "sieve.http.port=-1")).isEqualTo(ErrorReporter.CONFIG_ERROR);
    assertThat(err.toString()).contains("invalid configuration").contains("Failed to create new KafkaAdminClient")
        .contains("default.api.timeout.ms must be no smaller than the value of request.timeout.ms");
  }

  @Test
  void anEndToEndBenchWithoutLocalEventsIsAUsageErrorNamingTheOption() {
    assertThat(run("bench", "e2e", "--local-events", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--local-events must be at least 1, was 0");
  }

  @Test
  void anUnknownFlagIsAUsageError() {
    assertThat(run("run", "--no-such-flag")).isEqualTo(2);
    assertThat(err.toString()).contains("--no-such-flag");
  }
}
