package dev.sieve.cli;

import dev.sieve.config.SieveConfig;
import dev.sieve.service.SieveService;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.config.ConfigException;
import org.apache.logging.log4j.LogManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sieve run}: the service, against a Kafka cluster and schema registry. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the Sieve service against a Kafka cluster until stopped (SIGTERM/Ctrl-C).",
        "Settings come from --config, SIEVE_* and KAFKA_* environment variables and flags."})
final class RunCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    SieveConfig config = connection.sources(Map.of()).toConfig();
    if (config.bootstrapServers().isBlank()) {
      throw new ConfigException("bootstrap.servers", "", "required by sieve run (--bootstrap-servers, "
          + "KAFKA_BOOTSTRAP_SERVERS or the config file); sieve demo runs without a cluster");
    }
    SieveService service = new SieveService(config);
    AtomicBoolean signalled = new AtomicBoolean();
    Thread shutdown = new Thread(() -> {
      signalled.set(true);
      service.close();
      LogManager.shutdown();
    }, "sieve-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    try {
      service.start();
    } catch (RuntimeException e) {
      // A cluster that refuses Sieve's settings, say: nothing runs yet, so stop here, not in the hook.
      Runtime.getRuntime().removeShutdownHook(shutdown);
      service.close();
      throw e;
    }
    service.awaitStop();
    if (signalled.get()) {
      // Stopped by SIGTERM/Ctrl-C: let the hook finish committing and logging.
      shutdown.join();
      return 0;
    }
    // The instance gave up on its own (fatal error): clean up here, not in the hook.
    Runtime.getRuntime().removeShutdownHook(shutdown);
    service.close();
    return 1;
  }
}
