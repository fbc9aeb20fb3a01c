package dev.sieve.connect.worker;

import dev.sieve.runtime.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A real Kafka Connect worker in this JVM (standalone or distributed) against a real broker,
 * finding the Sieve connectors through their {@code META-INF/services} files
 * ({@code plugin.discovery=service_load}), with the converters the connectors are documented for:
 * StringConverter keys, ByteArrayConverter values.
 */
public final class ConnectWorker implements AutoCloseable {

  public static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Connect<?> connect;

  private ConnectWorker(Connect<?> connect) {
    this.connect = connect;
  }

  /** A standalone worker keeping its source offsets in {@code offsetsFile}. */
  public static ConnectWorker standalone(EmbeddedKafkaBroker broker, Path offsetsFile) {
    Map<String, String> props = common(broker);
    props.put("offset.storage.file.filename", offsetsFile.toString());
    return new ConnectWorker(new ConnectStandalone().startConnect(props));
  }

  /**
   * A distributed worker of group {@code groupId} (its internal topics named after it), with
   * exactly-once source support when asked.
   */
  public static ConnectWorker distributed(EmbeddedKafkaBroker broker, String groupId, boolean exactlyOnceSource) {
    Map<String, String> props = common(broker);
    props.put("group.id", groupId);
    props.put("config.storage.topic", groupId + "-configs");
    props.put("offset.storage.topic", groupId + "-offsets");
    props.put("status.storage.topic", groupId + "-status");
    props.put("config.storage.replication.factor", "1");
    props.put("offset.storage.replication.factor", "1");
    props.put("status.storage.replication.factor", "1");
    props.put("offset.storage.partitions", "1");
    props.put("status.storage.partitions", "1");
    props.put("scheduled.rebalance.max.delay.ms", "0");
    if (exactlyOnceSource) {
      props.put("exactly.once.source.support", "enabled");
    }
    return new ConnectWorker(new ConnectDistributed().startConnect(props));
  }

  private static Map<String, String> common(EmbeddedKafkaBroker broker) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("listeners", "http://127.0.0.1:0");
    props.put("plugin.discovery", "service_load");
    props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    props.put("offset.flush.interval.ms", "200");
    return props;
  }

  public Herder herder() {
    return connect.herder();
  }

  /** Creates (or replaces) connector {@code name} and waits until it and every task run. */
  public void start(String name, Map<String, String> config) throws Exception {
    Map<String, String> withName = new HashMap<>(config);
    withName.put("name", name);
    FutureCallback<Herder.Created<org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo>> created =
        new FutureCallback<>();
    herder().putConnectorConfig(name, withName, true, created);
    created.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    await("connector " + name + " and its tasks running", () -> running(name));
  }

  /** Deletes connector {@code name} (its source offsets stay). */
  public void delete(String name) throws Exception {
    FutureCallback<Herder.Created<org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo>> deleted =
        new FutureCallback<>();
    herder().deleteConnectorConfig(name, deleted);
    deleted.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    await("connector " + name + " gone", () -> !herder().connectors().contains(name));
  }

  /** True when the connector and at least one task are RUNNING, and no task is not. */
  public boolean running(String name) {
    try {
      ConnectorStateInfo status = herder().connectorStatus(name);
      return status.connector().state().equals("RUNNING") && !status.tasks().isEmpty()
          && status.tasks().stream().allMatch(t -> t.state().equals("RUNNING"));
    } catch (RuntimeException notYetKnown) {
      return false;
    }
  }

  public ConnectorStateInfo status(String name) {
    return herder().connectorStatus(name);
  }

  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + TIMEOUT + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    connect.stop();
    connect.awaitStop();
  }
}
