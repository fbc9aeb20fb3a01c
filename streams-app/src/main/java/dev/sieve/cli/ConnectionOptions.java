package dev.sieve.cli;

import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the commands that talk to Kafka: where settings come from. */
final class ConnectionOptions {

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
      description = "Kafka bootstrap servers (bootstrap.servers).")
  String bootstrapServers;

  @Option(names = "--registry-url", paramLabel = "URL",
      description = "Schema registry URL (sieve.registry.url); mem://NAME for the in-process registry.")
  String registryUrl;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Properties file with Sieve (sieve.*) and Kafka settings.")
  Path configFile;

  @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
      description = "Any setting, e.g. -D sieve.topic.events=uploads -D num.stream.threads=2.")
  Map<String, String> settings = new LinkedHashMap<>();

  /** Defaults, then the file, then SIEVE_* / KAFKA_* environment variables, then flags. */
  ConfigSources sources(Map<String, ?> defaults) {
    Map<String, Object> flags = new HashMap<>(settings);
    if (bootstrapServers != null) {
      flags.put("bootstrap.servers", bootstrapServers);
    }
    if (registryUrl != null) {
      flags.put(SieveConfig.REGISTRY_URL, registryUrl);
    }
    return new ConfigSources().defaults(defaults).file(configFile).environment(System.getenv()).flags(flags);
  }
}
