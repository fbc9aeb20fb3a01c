package dev.sieve.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in this JVM,
 * listening on 127.0.0.1 only. It serves the default run and the integration tests; it is set up
 * for exactly-once (every internal topic has replication factor 1).
 *
 * <p>Start one with {@link #start()}, {@link #start(Path)} or {@link #builder()}; {@link #close()}
 * shuts it down and deletes its data directory if the broker created it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private static final String SCRAM_LISTENER = "SASL";
  /** The SASL mechanism of the optional SCRAM listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
  private static final String TLS_LISTENER = "TLS";
  private static final String MUTUAL_TLS_LISTENER = "MTLS";
  private static final String SCRAM_TLS_LISTENER = "SASL_TLS";
  /** Listener names in the order of their ports (after PLAINTEXT and CONTROLLER). */
  private static final List<String> OPTIONAL_LISTENERS =
      List.of(SCRAM_LISTENER, TLS_LISTENER, MUTUAL_TLS_LISTENER, SCRAM_TLS_LISTENER);

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  /** The address of each optional listener this broker has, by name. */
  private final Map<String, String> listenerAddresses;
  private final Path dataDir;
  private final boolean ownsDataDir;
  private final Builder settings;
  private final int[] ports;
  private boolean closed;

  private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Map<String, String> listenerAddresses,
      Path dataDir, boolean ownsDataDir, Builder settings, int[] ports) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.listenerAddresses = listenerAddresses;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.settings = settings;
    this.ports = ports;
  }

  /** Starts a broker with default settings in a new temporary directory, deleted on close. */
  public static EmbeddedKafkaBroker start() {
    return builder().start();
  }

  /** Starts a broker with default settings that keeps its data in {@code dataDir}. */
  public static EmbeddedKafkaBroker start(Path dataDir) {
    return builder().dataDir(dataDir).start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code bootstrap.servers} of the PLAINTEXT listener, e.g. {@code 127.0.0.1:40123}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The {@code bootstrap.servers} of the SASL_PLAINTEXT listener that authenticates with {@value
   * #SCRAM_MECHANISM}.
   *
   * @throws IllegalStateException when the broker was built without {@link Builder#scramListener()}
   */
  public String scramBootstrapServers() {
    return listenerAddress(SCRAM_LISTENER, "Builder.scramListener()");
  }

  /**
   * The {@code bootstrap.servers} of the SSL listener, which presents the key pair given to
   * {@link Builder#tlsListener} and does not ask clients for certificates.
   *
   * @throws IllegalStateException when the broker was built without {@link Builder#tlsListener}
   */
  public String tlsBootstrapServers() {
    return listenerAddress(TLS_LISTENER, "Builder.tlsListener(keystore, password)");
  }

  /**
   * The {@code bootstrap.servers} of the SSL listener that requires a client certificate trusted
   * by the truststore given to {@link Builder#mutualTlsListener}; it presents the same key pair as
   * the TLS listener.
   *
   * @throws IllegalStateException when the broker was built without {@link Builder#mutualTlsListener}
   */
  public String mutualTlsBootstrapServers() {
    return listenerAddress(MUTUAL_TLS_LISTENER, "Builder.mutualTlsListener(truststore, password)");
  }

  /**
   * The {@code bootstrap.servers} of the SASL_SSL listener: {@value #SCRAM_MECHANISM} (the users of
   * {@link #upsertScramUser}) over TLS with the same key pair as the TLS listener.
   *
   * @throws IllegalStateException when the broker was built without {@link Builder#scramTlsListener()}
   */
  public String scramTlsBootstrapServers() {
    return listenerAddress(SCRAM_TLS_LISTENER, "Builder.scramTlsListener()");
  }

  private String listenerAddress(String name, String builderMethod) {
    String address = listenerAddresses.get(name);
    if (address == null) {
      throw new IllegalStateException("this broker has no " + name + " listener (" + builderMethod + ")");
    }
    return address;
  }

  /** Creates or replaces a SCRAM user that can log in on the SCRAM listener. */
  public void upsertScramUser(String user, String password) {
    try (Admin admin = Admin.create(clientConfig())) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create SCRAM user " + user + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating SCRAM user " + user, e);
    }
  }

  /** What a client (admin, producer, consumer, Streams) needs to reach this broker. */
  public Map<String, Object> clientConfig() {
    return clientConfig(bootstrapServers);
  }

  private static Map<String, Object> clientConfig(String bootstrapServers) {
    return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
  }

  /** Shuts the broker down, waits until it has stopped, and deletes a temporary data directory. */
  @Override
  public void close() {
    stop(ownsDataDir);
  }

  /**
   * Stops this broker and starts a new one on the same ports and data directory, as an operator
   * restarting the node would: topics, committed offsets and transactions survive, and clients
   * reconnect to the same address. This instance is closed; use the returned one (which owns the
   * data directory as this one did).
   *
   * @throws IllegalStateException if this broker was closed or the new one does not come up
   */
  public EmbeddedKafkaBroker restart() {
    if (!stop(false)) {
      throw new IllegalStateException("Kafka broker at " + bootstrapServers + " was closed");
    }
    return settings.start(dataDir, ownsDataDir, ports);
  }

  private synchronized boolean stop(boolean deleteData) {
    if (closed) {
      return false;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    if (deleteData) {
      deleteQuietly(dataDir);
    }
    log.info("Kafka broker at {} stopped", bootstrapServers);
    return true;
  }

  private static void deleteQuietly(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      log.warn("Could not delete broker data directory {}", dir, e);
    }
  }

  /** Settings of a broker to start; every setting has a default. */
  public static final class Builder {
    private Path dataDir;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private boolean scramListener;
    private Path tlsKeystore;
    private String tlsKeystorePassword;
    private Path clientTruststore;
    private String clientTruststorePassword;
    private boolean scramTlsListener;
    private final Map<String, String> extraProperties = new HashMap<>();

    private Builder() {}

    /** Where the broker keeps its log and metadata; a new temporary directory if unset. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** How long {@link #start()} waits for the broker to answer before it gives up. */
    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = startupTimeout;
      return this;
    }

    /**
     * Also listen on a SASL_PLAINTEXT listener that authenticates with {@value #SCRAM_MECHANISM}
     * (see {@link #scramBootstrapServers()}; users are added with {@link #upsertScramUser}). No
     * authorizer is set: an authenticated user may do anything.
     */
    public Builder scramListener() {
      this.scramListener = true;
      return this;
    }

    /**
     * Also listen on an SSL listener (see {@link #tlsBootstrapServers()}) that presents the key
     * pair in {@code keystore}, a PKCS12 file whose store and key share {@code password}. Its
     * certificate should name 127.0.0.1 (subject alternative name) for clients that verify the
     * host name, as Kafka clients do by default. Clients are not asked for certificates.
     */
    public Builder tlsListener(Path keystore, String password) {
      this.tlsKeystore = keystore;
      this.tlsKeystorePassword = password;
      return this;
    }

    /**
     * Also listen on an SSL listener (see {@link #mutualTlsBootstrapServers()}) that requires
     * every client to present a certificate that {@code truststore} (PKCS12, {@code password})
     * trusts ({@code ssl.client.auth=required}). It presents the key pair of {@link #tlsListener},
     * which must be set too.
     */
    public Builder mutualTlsListener(Path truststore, String password) {
      this.clientTruststore = truststore;
      this.clientTruststorePassword = password;
      return this;
    }

    /**
     * Also listen on a SASL_SSL listener (see {@link #scramTlsBootstrapServers()}) that
     * authenticates with {@value #SCRAM_MECHANISM} over TLS, presenting the key pair of {@link
     * #tlsListener}, which must be set too. Clients are not asked for certificates.
     */
    public Builder scramTlsListener() {
      this.scramTlsListener = true;
      return this;
    }

    /**
     * A broker property set on top of the defaults (and overriding them), e.g. extra listeners
     * or SASL settings. The PLAINTEXT listener must stay: readiness is checked through it.
     */
    public Builder brokerProperty(String name, String value) {
      extraProperties.put(name, value);
      return this;
    }

    /**
     * Formats the storage, starts the broker and waits until it answers {@code describeCluster}.
     *
     * @throws IllegalStateException if the broker fails to start or is not ready within the
     *     startup timeout; a half-started broker is shut down (in the background if its startup
     *     is still running) and a temporary data directory deleted.
     */
    public EmbeddedKafkaBroker start() {
      boolean ownsDataDir = dataDir == null;
      if (tlsKeystore == null && (clientTruststore != null || scramTlsListener)) {
        throw new IllegalStateException("mutualTlsListener and scramTlsListener present the key pair of "
            + "tlsListener(keystore, password), which is not set");
      }
      return start(ownsDataDir ? createTempDir() : dataDir, ownsDataDir, freePorts(2 + OPTIONAL_LISTENERS.size()));
    }

    /**
     * Starts on {@code ports} (PLAINTEXT, CONTROLLER, then one per {@link #OPTIONAL_LISTENERS}, used
     * if asked for) with its data in {@code dir}.
     */
    private EmbeddedKafkaBroker start(Path dir, boolean ownsDataDir, int[] ports) {
      long startedAt = System.nanoTime();
      Deadline deadline = Deadline.after(startupTimeout);
      String bootstrapServers = "127.0.0.1:" + ports[0];
      Map<String, String> listenerAddresses = new HashMap<>();
      for (int i = 0; i < OPTIONAL_LISTENERS.size(); i++) {
        if (wants(OPTIONAL_LISTENERS.get(i))) {
          listenerAddresses.put(OPTIONAL_LISTENERS.get(i), "127.0.0.1:" + ports[2 + i]);
        }
      }
      KafkaRaftServer server;
      try {
        KafkaConfig config = new KafkaConfig(brokerProperties(dir, bootstrapServers, ports[1], listenerAddresses));
        formatStorage(config, dir);
        server = new KafkaRaftServer(config, Time.SYSTEM);
      } catch (Exception e) {
        if (ownsDataDir) {
          deleteQuietly(dir);
        }
        throw startFailure(bootstrapServers, e);
      }
      CompletableFuture<Void> startup = startInBackground(server);
      try {
        startup.get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
        awaitReady(bootstrapServers, deadline);
      } catch (Exception e) {
        // shutdown() does nothing while startup() runs, so stop the broker once it has returned.
        startup.whenComplete(
            (ok, error) -> {
              server.shutdown();
              if (error == null) {
                // After a failed startup() a part may never have started: awaiting it would hang.
                server.awaitShutdown();
              }
              if (ownsDataDir) {
                deleteQuietly(dir);
              }
            });
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw startFailure(bootstrapServers, e);
      }
      log.info(
          "Kafka broker up at {} in {} ms (data in {})",
          bootstrapServers,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
          dir);
      return new EmbeddedKafkaBroker(
          server, bootstrapServers, Map.copyOf(listenerAddresses), dir, ownsDataDir, this, ports);
    }

    private boolean wants(String listener) {
      return switch (listener) {
        case SCRAM_LISTENER -> scramListener;
        case TLS_LISTENER -> tlsKeystore != null;
        case MUTUAL_TLS_LISTENER -> clientTruststore != null;
        case SCRAM_TLS_LISTENER -> scramTlsListener;
        default -> throw new IllegalArgumentException(listener);
      };
    }

    private Map<String, String> brokerProperties(Path dir, String bootstrapServers, int controllerPort,
        Map<String, String> listenerAddresses) {
      Map<String, String> props = new HashMap<>();
      props.put("process.roles", "broker,controller");
      props.put("node.id", String.valueOf(NODE_ID));
      props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
      props.put(
          "listeners",
          "PLAINTEXT://" + bootstrapServers + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
              + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://" + bootstrapServers);
      props.put("controller.listener.names", CONTROLLER_LISTENER);
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("log.dirs", dir.toString());
      // A single broker: every internal topic must fit on one replica or exactly-once fails.
      props.put("offsets.topic.replication.factor", "1");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      // Fewer internal partitions than the default 50: quicker first group and transaction.
      props.put("offsets.topic.num.partitions", "5");
      props.put("transaction.state.log.num.partitions", "5");
      props.put("group.initial.rebalance.delay.ms", "0");
      // Topics are created explicitly (and waited for) by TopicProvisioner.
      props.put("auto.create.topics.enable", "false");
      // The default 128 MiB cleaner buffer dominates the broker's heap.
      props.put("log.cleaner.dedupe.buffer.size", "2097152");
      props.put("log.segment.bytes", "16777216");
      listenerAddresses.forEach((name, address) -> {
        switch (name) {
          case SCRAM_LISTENER -> {
            addListener(props, name, address, "SASL_PLAINTEXT");
            addScram(props, name);
          }
          case TLS_LISTENER -> {
            addListener(props, name, address, "SSL");
            addServerKey(props, name, "none");
          }
          case MUTUAL_TLS_LISTENER -> {
            addListener(props, name, address, "SSL");
            addServerKey(props, name, "required");
            String prefix = listenerPrefix(name);
            props.put(prefix + "ssl.truststore.type", "PKCS12");
            props.put(prefix + "ssl.truststore.location", clientTruststore.toAbsolutePath().toString());
            props.put(prefix + "ssl.truststore.password", clientTruststorePassword);
          }
          case SCRAM_TLS_LISTENER -> {
            addListener(props, name, address, "SASL_SSL");
            addScram(props, name);
            addServerKey(props, name, "none");
          }
          default -> throw new IllegalArgumentException(name);
        }
      });
      props.putAll(extraProperties);
      return props;
    }

    private static void addScram(Map<String, String> props, String listener) {
      props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
      props.put(listenerPrefix(listener) + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }

    /** The listener presents the {@link #tlsListener} key pair and asks clients for certificates as {@code clientAuth} says. */
    private void addServerKey(Map<String, String> props, String listener, String clientAuth) {
      String prefix = listenerPrefix(listener);
      props.put(prefix + "ssl.keystore.type", "PKCS12");
      props.put(prefix + "ssl.keystore.location", tlsKeystore.toAbsolutePath().toString());
      props.put(prefix + "ssl.keystore.password", tlsKeystorePassword);
      props.put(prefix + "ssl.key.password", tlsKeystorePassword);
      props.put(prefix + "ssl.client.auth", clientAuth);
    }

    /** Adds a listener on {@code address}, advertised as such, speaking {@code securityProtocol}. */
    private static void addListener(Map<String, String> props, String name, String address, String securityProtocol) {
      String listener = name + "://" + address;
      props.put("listeners", props.get("listeners") + "," + listener);
      props.put("advertised.listeners", props.get("advertised.listeners") + "," + listener);
      props.put("listener.security.protocol.map",
          props.get("listener.security.protocol.map") + "," + name + ":" + securityProtocol);
    }

    /** The prefix of settings that apply to one listener only, e.g. {@code listener.name.tls.}. */
    private static String listenerPrefix(String name) {
      return "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
    }

    /** Formats a new data directory; one from an earlier run keeps its cluster id and topics. */
    private static void formatStorage(KafkaConfig config, Path dir) throws Exception {
      if (Files.exists(dir.resolve("meta.properties"))) {
        return;
      }
      new Formatter()
          .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(config.logDirs())
          .setMetadataLogDirectory(dir.toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setReleaseVersion(MetadataVersion.latestProduction())
          .run();
    }

    private IllegalStateException startFailure(String bootstrapServers, Exception cause) {
      return new IllegalStateException(
          "Kafka broker at " + bootstrapServers + " did not come up within " + startupTimeout
              + ": " + cause,
          cause);
    }

    /** Runs the blocking {@code startup()} on its own thread so the deadline also bounds it. */
    private static CompletableFuture<Void> startInBackground(KafkaRaftServer server) {
      CompletableFuture<Void> startup = new CompletableFuture<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  server.startup();
                  startup.complete(null);
                } catch (Throwable e) {
                  startup.completeExceptionally(e);
                }
              },
              "sieve-kafka-startup");
      thread.setDaemon(true);
      thread.start();
      return startup;
    }

    private static void awaitReady(String bootstrapServers, Deadline deadline)
        throws ExecutionException, InterruptedException, TimeoutException {
      long remainingMs = deadline.remainingMillis();
      try (Admin admin = Admin.create(clientConfig(bootstrapServers))) {
        // The admin client retries internally until the broker answers or the timeout expires.
        admin
            .describeCluster(new DescribeClusterOptions().timeoutMs((int) remainingMs))
            .nodes()
            .get(remainingMs, TimeUnit.MILLISECONDS);
      }
    }

    private static Path createTempDir() {
      try {
        return Files.createTempDirectory("sieve-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Distinct ports free right now on 127.0.0.1; the broker binds them moments later. */
    private static int[] freePorts(int count) {
      List<ServerSocket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          sockets.add(new ServerSocket(0, 0, InetAddress.getLoopbackAddress()));
        }
        return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        sockets.forEach(socket -> Utils.closeQuietly(socket, "port probe"));
      }
    }
  }
}
