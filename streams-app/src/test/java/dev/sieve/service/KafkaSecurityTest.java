package dev.sieve.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.cli.SieveCommand;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.embed.gemini.GeminiEmulator;
import dev.sieve.embed.gemini.GeminiSettings;
import dev.sieve.embed.stage.KafkaSourceReader;
import dev.sieve.http.HttpSettings;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.CapturedLogs;
import dev.sieve.testing.CertificateAuthority;
import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SelfSignedCertificate;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.SieveTopics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Kafka client security comes from configuration and reaches every client Sieve makes; secrets
 * (SASL password, keystore and truststore passwords, Gemini API key, registry credentials) never
 * show in logs, errors, dead letters or metrics; a cluster that refuses Sieve's settings stops
 * start-up (and {@code sieve run}) at once with a message naming the cause. Runs one broker for
 * the class, with four listeners: SASL_PLAINTEXT and SASL_SSL that authenticate with
 * SCRAM-SHA-512, SSL, and SSL requiring a client certificate (mutual TLS). Its certificate, and a
 * CA that issues Sieve's client certificate, are made for this run.
 */
class KafkaSecurityTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String USER = "sieve";
  private static final String SASL_PASSWORD = "sasl-pw-" + UUID.randomUUID();
  private static final String WRONG_PASSWORD = "wrong-pw-" + UUID.randomUUID();
  private static final String GEMINI_KEY = "gemini-key-" + UUID.randomUUID();
  private static final String REGISTRY_PASSWORD = "registry-pw-" + UUID.randomUUID();
  private static final List<String> SECRETS = List.of(SASL_PASSWORD, WRONG_PASSWORD, GEMINI_KEY, REGISTRY_PASSWORD);

  private static EmbeddedKafkaBroker broker;
  /** The broker's own certificate, and another server's that the broker does not present. */
  private static SelfSignedCertificate brokerCertificate;
  private static SelfSignedCertificate otherCertificate;
  /** The CA whose certificates the mutual-TLS listener accepts, and the one it issued to Sieve. */
  private static CertificateAuthority clientCa;
  private static CertificateAuthority.IssuedCertificate clientCertificate;

  @TempDir(factory = BuildDirTempDirFactory.class)
  static Path certificatesDir;

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path stateDir;

  @BeforeAll
  static void startBroker() throws Exception {
    brokerCertificate =
        SelfSignedCertificate.create(Files.createDirectory(certificatesDir.resolve("broker")), "sieve-test-broker");
    otherCertificate =
        SelfSignedCertificate.create(Files.createDirectory(certificatesDir.resolve("other")), "another-server");
    clientCa = CertificateAuthority.create(Files.createDirectory(certificatesDir.resolve("client-ca")), "sieve-test-clients");
    clientCertificate = clientCa.issue(Files.createDirectory(certificatesDir.resolve("client")), USER);
    broker = EmbeddedKafkaBroker.builder().scramListener()
        .tlsListener(brokerCertificate.keystore(), brokerCertificate.keystorePassword())
        .mutualTlsListener(clientCa.truststore(), clientCa.truststorePassword())
        .scramTlsListener().start();
    broker.upsertScramUser(USER, SASL_PASSWORD);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void sieveAuthenticatesWithScramFromItsConfigurationAndLeaksNoSecret() throws Exception {
    List<String> seen = new ArrayList<>();
    try (CapturedLogs logs = new CapturedLogs(); GeminiEmulator emulator = new GeminiEmulator(GEMINI_KEY)) {
      processGoodAndBadEvent(config("good", saslClient(SASL_PASSWORD), emulator), saslClient(SASL_PASSWORD), seen);

      Throwable error = startFailure(config("wrong", saslClient(WRONG_PASSWORD), emulator), seen);
      assertThat(causes(error)).anyMatch(SaslAuthenticationException.class::isInstance);
      seen.addAll(logs.lines());
    }
    assertThat(String.join("\n", seen)).contains("sasl.jaas.config = [hidden]");
    for (String secret : SECRETS) {
      assertThat(seen).as("output containing a secret").noneMatch(line -> line.contains(secret));
    }
  }

  @Test
  void sieveConnectsOverTlsTrustingTheTruststoreFromItsConfigurationAndLeaksNoSecret() throws Exception {
    List<String> seen = new ArrayList<>();
    try (CapturedLogs logs = new CapturedLogs(); GeminiEmulator emulator = new GeminiEmulator(GEMINI_KEY)) {
      SieveConfig config = config("tls", tlsClient(brokerCertificate), emulator);
      RecordMetadata good = processGoodAndBadEvent(config, tlsClient(brokerCertificate), seen);

      assertSourceReaderFinds(config, good);

      Throwable error = startFailure(config("tls-wrong", tlsClient(otherCertificate), emulator), seen);
      assertThat(error).hasMessageStartingWith("Could not connect to Kafka at " + broker.tlsBootstrapServers()
              + " (security.protocol=SSL): SslAuthenticationException: SSL handshake failed: ")
          .hasMessageContaining("unable to find valid certification path to requested target");
      assertThat(causes(error)).anyMatch(SslAuthenticationException.class::isInstance)
          .anySatisfy(cause -> assertThat(cause).isInstanceOf(SSLHandshakeException.class)
              .hasMessageContaining("unable to find valid certification path to requested target"));
      seen.addAll(logs.lines());
    }
    assertThat(String.join("\n", seen)).contains("ssl.truststore.password = [hidden]");
    assertNoSecretIn(seen, brokerCertificate.truststorePassword(), otherCertificate.truststorePassword(),
        brokerCertificate.keystorePassword());
  }

  @Test
  void sieveAuthenticatesWithAClientCertificateOverMutualTlsAndLeaksNoSecret() throws Exception {
    List<String> seen = new ArrayList<>();
    try (CapturedLogs logs = new CapturedLogs(); GeminiEmulator emulator = new GeminiEmulator(GEMINI_KEY)) {
      // The listener requires a client certificate: topic creation (admin), Kafka Streams'
      // clients and the embed stage's reader only work here if each presents Sieve's.
      SieveConfig config = config(settings("mtls", mutualTlsClient(), emulator));
      RecordMetadata good = processGoodAndBadEvent(config, mutualTlsClient(), seen);
      assertSourceReaderFinds(config, good);

      Map<String, Object> withoutCertificate = settings("mtls-no-certificate",
          withBootstrap(tlsClient(brokerCertificate), broker.mutualTlsBootstrapServers()), emulator);
      Throwable error = startFailure(config(withoutCertificate), seen);
      assertThat(causes(error)).anyMatch(SslAuthenticationException.class::isInstance);
      String expected = "Could not connect to Kafka at " + broker.mutualTlsBootstrapServers()
          + " (security.protocol=SSL): SslAuthenticationException: ";
      assertThat(error).isInstanceOf(IllegalStateException.class).hasMessageStartingWith(expected)
          .hasMessageEndingWith(": Received fatal alert: bad_certificate");
      assertThat(runFailure(withoutCertificate, seen)).startsWith("sieve: " + expected)
          .contains("Received fatal alert: bad_certificate");
      seen.addAll(logs.lines());
    }
    assertThat(String.join("\n", seen)).contains("ssl.keystore.password = [hidden]", "ssl.key.password = [hidden]");
    assertNoSecretIn(seen, clientCertificate.keystorePassword(), clientCa.keystorePassword(),
        clientCa.truststorePassword(), brokerCertificate.keystorePassword(), brokerCertificate.truststorePassword());
  }

  @Test
  void sieveAuthenticatesWithScramOverTlsTrustingAPemCertificateAndLeaksNoSecret() throws Exception {
    List<String> seen = new ArrayList<>();
    try (CapturedLogs logs = new CapturedLogs(); GeminiEmulator emulator = new GeminiEmulator(GEMINI_KEY)) {
      processGoodAndBadEvent(config(settings("sasl-ssl", scramTlsClient(SASL_PASSWORD), emulator)),
          scramTlsClient(SASL_PASSWORD), seen);

      Map<String, Object> wrongPassword = settings("sasl-ssl-wrong", scramTlsClient(WRONG_PASSWORD), emulator);
      Throwable error = startFailure(config(wrongPassword), seen);
      assertThat(causes(error)).anyMatch(SaslAuthenticationException.class::isInstance);
      String expected = "Could not connect to Kafka at " + broker.scramTlsBootstrapServers()
          + " (security.protocol=SASL_SSL): SaslAuthenticationException: Authentication failed during authentication"
          + " due to invalid credentials with SASL mechanism SCRAM-SHA-512";
      assertThat(error).isInstanceOf(IllegalStateException.class).hasMessage(expected);
      assertThat(runFailure(wrongPassword, seen)).startsWith("sieve: " + expected);
      seen.addAll(logs.lines());
    }
    assertThat(String.join("\n", seen)).contains("sasl.jaas.config = [hidden]");
    assertNoSecretIn(seen, SASL_PASSWORD, WRONG_PASSWORD, brokerCertificate.keystorePassword());
  }

  /**
   * A client speaking PLAINTEXT to a TLS listener is never refused, only disconnected: before
   * Sieve checked the cluster first, start-up retried for five minutes (Kafka Streams' global
   * thread) and then failed naming none of this.
   */
  @Test
  void aClusterThatNeverAnswersFailsStartUpWithinTheApiTimeoutNamingTheProtocol() {
    try (GeminiEmulator emulator = new GeminiEmulator(GEMINI_KEY)) {
      Map<String, Object> plaintext = settings("plaintext-to-tls",
          Map.of("bootstrap.servers", broker.mutualTlsBootstrapServers(),
              "default.api.timeout.ms", "2000", "request.timeout.ms", "2000"), emulator);
      long started = System.nanoTime();
      String output = runFailure(plaintext, new ArrayList<>());
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
      assertThat(output).startsWith("sieve: Kafka at " + broker.mutualTlsBootstrapServers()
          + " (security.protocol=PLAINTEXT) did not answer within 2000 ms (default.api.timeout.ms): is the address"
          + " right, and does that listener speak this security.protocol? TimeoutException: ");
    }
  }

  @Test
  void securitySettingsReachTheClientsSieveMakesBesideKafkaStreams() {
    SieveConfig config = new ConfigSources().defaults(Map.of(
        "bootstrap.servers", "broker:9093",
        SieveConfig.REGISTRY_URL, "mem://security",
        "security.protocol", "SSL",
        "ssl.truststore.location", "/etc/sieve/truststore.p12",
        "ssl.truststore.password", "truststore-secret",
        "ssl.endpoint.identification.algorithm", "https")).toConfig();
    assertThat(KafkaSourceReader.consumerConfig(clientConfig(config)))
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.location", "/etc/sieve/truststore.p12")
        .containsEntry("ssl.truststore.password", "truststore-secret")
        .containsEntry("ssl.endpoint.identification.algorithm", "https");
  }

  @Test
  void anUnknownSecurityProtocolFailsAtStartupNamingTheSetting() {
    assertThatThrownBy(() -> new ConfigSources().defaults(Map.of("bootstrap.servers", "broker:9093",
        SieveConfig.REGISTRY_URL, "mem://security", "security.protocol", "TLS")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.protocol");
  }

  /**
   * Runs Sieve on {@code config}, sends it a good event and an undecodable one through a producer
   * on {@code client}, and checks the first reaches the categories and the second the DLQ; adds the
   * dead letters and the metrics page to {@code seen}.
   *
   * @return where the good event was written
   */
  private static RecordMetadata processGoodAndBadEvent(SieveConfig config, Map<String, Object> client,
      List<String> seen) throws Exception {
    SieveTopics topics = SieveTopics.from(config);
    try (SieveService service = new SieveService(config)) {
      service.start();
      assertThat(service.awaitRunning(TIMEOUT)).isTrue();
      RecordMetadata good;
      try (var producer = new KafkaProducer<>(client, new StringSerializer(), new ByteArraySerializer())) {
        good = producer.send(new ProducerRecord<>(topics.events().name(), "good", eventBytes(topics, "good"))).get();
        producer.send(new ProducerRecord<>(topics.events().name(), "bad", "not avro".getBytes(StandardCharsets.UTF_8))).get();
      }
      var categories = CommittedRecords.read(broker, topics.categories().name(), 1, TIMEOUT, new ByteArrayDeserializer());
      assertThat(categories).extracting(ConsumerRecord::key).containsExactly("good");
      var deadLetters = CommittedRecords.read(broker, topics.deadLetters().name(), 1, TIMEOUT, new ByteArrayDeserializer());
      assertThat(deadLetters).extracting(ConsumerRecord::key).containsExactly("bad");
      deadLetters.forEach(record -> seen.add(render(record)));
      seen.add(metricsText(service));
      return good;
    }
  }

  /** The embed stage's reader (used after a restore), made from the same settings as in SieveService, reads {@code good}. */
  private static void assertSourceReaderFinds(SieveConfig config, RecordMetadata good) {
    var events = SieveTopics.from(config).avro().valueSerde(MediaEvent.class).deserializer();
    try (var reader = new KafkaSourceReader(clientConfig(config))) {
      assertThat(reader.value(new Outcome.Source(good.topic(), good.partition(), good.offset())))
          .map(value -> events.deserialize(good.topic(), value).getId()).contains("good");
    }
  }

  /**
   * What {@code sieve run} with {@code settings} (as {@code -D} flags) prints on stderr when it
   * fails at start-up, as it must, with exit code 1; the output is added to {@code seen}.
   */
  private static String runFailure(Map<String, Object> settings, List<String> seen) {
    List<String> args = new ArrayList<>(List.of("run"));
    settings.forEach((key, value) -> args.addAll(List.of("-D", key + "=" + value)));
    StringWriter err = new StringWriter();
    CommandLine cli = SieveCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    int exit = cli.execute(args.toArray(String[]::new));
    seen.add(err.toString());
    assertThat(exit).as(err.toString()).isEqualTo(1);
    return err.toString();
  }

  private static void assertNoSecretIn(List<String> seen, String... secrets) {
    List<String> all = new ArrayList<>(List.of(secrets));
    all.addAll(List.of(GEMINI_KEY, REGISTRY_PASSWORD));
    for (String secret : all) {
      assertThat(seen).as("output containing a secret").noneMatch(line -> line.contains(secret));
    }
  }

  /** The error Sieve fails to start with on {@code config}; its stack trace is added to {@code seen}. */
  private static Throwable startFailure(SieveConfig config, List<String> seen) {
    try (SieveService service = new SieveService(config)) {
      Throwable error = catchThrowable(service::start);
      assertThat(error).as("start-up error").isNotNull();
      seen.add(stackTrace(error));
      return error;
    }
  }

  /** Sieve's client settings as SieveService hands them to the clients it makes beside Kafka Streams. */
  private static Map<String, Object> clientConfig(SieveConfig config) {
    Map<String, Object> clientConfig = new HashMap<>();
    config.streamsProperties().forEach((key, value) -> clientConfig.put(key.toString(), value));
    return clientConfig;
  }

  private SieveConfig config(String name, Map<String, Object> client, GeminiEmulator emulator) {
    return config(settings(name, client, emulator));
  }

  private static SieveConfig config(Map<String, Object> settings) {
    return new ConfigSources().defaults(settings).toConfig();
  }

  /** Sieve's settings for a run named {@code name}: {@code client}'s, and topics of its own. */
  private Map<String, Object> settings(String name, Map<String, Object> client, GeminiEmulator emulator) {
    Map<String, Object> props = new HashMap<>(client);
    props.put("application.id", "security-" + name + "-" + UUID.randomUUID());
    props.put("state.dir", stateDir.resolve(name).toString());
    props.put("commit.interval.ms", "100");
    props.put(SieveConfig.REGISTRY_URL, "mem://security-" + UUID.randomUUID());
    props.put(HttpSettings.PORT, "0"); // several services run at once in a test JVM
    props.put(SieveConfig.REGISTRY_BASIC_AUTH, "sieve:" + REGISTRY_PASSWORD);
    props.put(SieveConfig.TOPICS_CREATE, true);
    props.put(SieveConfig.TOPICS_PARTITIONS, 1);
    props.put(SieveConfig.EMBED_PROVIDER, "gemini");
    props.put(GeminiSettings.API_KEY, GEMINI_KEY);
    props.put(GeminiSettings.BASE_URL, emulator.baseUrl());
    for (String topic : List.of(SieveConfig.TOPIC_EVENTS, SieveConfig.TOPIC_EMBEDDINGS, SieveConfig.TOPIC_DLQ,
        SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION, SieveConfig.TOPIC_DUPLICATES,
        SieveConfig.TOPIC_LABELS, SieveConfig.TOPIC_CENTROIDS)) {
      props.put(topic, name + "-" + topic.substring("sieve.topic.".length()) + "-" + UUID.randomUUID());
    }
    return props;
  }

  private static Map<String, Object> saslClient(String password) {
    return Map.of(
        "bootstrap.servers", broker.scramBootstrapServers(),
        "security.protocol", "SASL_PLAINTEXT",
        "sasl.mechanism", EmbeddedKafkaBroker.SCRAM_MECHANISM,
        "sasl.jaas.config", scramJaasConfig(password));
  }

  /**
   * SCRAM over TLS, trusting the broker's certificate as a PEM file: the settings of the k8s
   * StatefulSet (Strimzi's cluster CA certificate, {@code ca.crt}, is PEM).
   */
  private static Map<String, Object> scramTlsClient(String password) {
    return Map.of(
        "bootstrap.servers", broker.scramTlsBootstrapServers(),
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", EmbeddedKafkaBroker.SCRAM_MECHANISM,
        "sasl.jaas.config", scramJaasConfig(password),
        "ssl.truststore.type", "PEM",
        "ssl.truststore.location", brokerCertificate.certificate().toString());
  }

  private static String scramJaasConfig(String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + USER + "\" password=\"" + password + "\";";
  }

  /** Mutual TLS: trusts the broker's certificate and presents the one the client CA issued to Sieve. */
  private static Map<String, Object> mutualTlsClient() {
    Map<String, Object> client = withBootstrap(tlsClient(brokerCertificate), broker.mutualTlsBootstrapServers());
    client.put("ssl.keystore.type", "PKCS12");
    client.put("ssl.keystore.location", clientCertificate.keystore().toString());
    client.put("ssl.keystore.password", clientCertificate.keystorePassword());
    client.put("ssl.key.password", clientCertificate.keystorePassword());
    return client;
  }

  private static Map<String, Object> withBootstrap(Map<String, Object> client, String bootstrapServers) {
    Map<String, Object> changed = new HashMap<>(client);
    changed.put("bootstrap.servers", bootstrapServers);
    return changed;
  }

  /** Connects only through the TLS listener, trusting what {@code trusted}'s truststore holds. */
  private static Map<String, Object> tlsClient(SelfSignedCertificate trusted) {
    return Map.of(
        "bootstrap.servers", broker.tlsBootstrapServers(),
        "security.protocol", "SSL",
        "ssl.truststore.location", trusted.truststore().toString(),
        "ssl.truststore.password", trusted.truststorePassword(),
        "ssl.truststore.type", "PKCS12");
  }

  private static byte[] eventBytes(SieveTopics topics, String id) {
    MediaEvent event = MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.now()).setSource("security-test")
        .setParts(List.of(MediaPart.newBuilder().setText("an ordinary caption").build())).setAttributes(Map.of()).build();
    return topics.avro().valueSerde(MediaEvent.class).serializer().serialize(topics.events().name(), event);
  }

  private static String render(ConsumerRecord<String, byte[]> record) {
    StringBuilder text = new StringBuilder(record.key() + " " + new String(record.value(), StandardCharsets.UTF_8));
    for (Header header : record.headers()) {
      text.append(' ').append(header.key()).append('=').append(new String(header.value(), StandardCharsets.UTF_8));
    }
    return text.toString();
  }

  private static List<Throwable> causes(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = error; t != null; t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  private static String stackTrace(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /** What Prometheus would scrape from the running service. */
  private static String metricsText(SieveService service) throws Exception {
    URI metrics = URI.create("http://127.0.0.1:" + service.httpPort().orElseThrow() + HttpSettings.METRICS_PATH);
    HttpResponse<String> response = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("sieve_dlq_records_total");
    return response.body();
  }
}
