package dev.sieve.service;

import dev.sieve.avro.LabelDefinition;
import dev.sieve.config.SieveConfig;
import dev.sieve.dedup.DedupSettings;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.EventEmbedder;
import dev.sieve.embed.ProviderUnavailableException;
import dev.sieve.embed.gemini.GeminiEmbeddingProvider;
import dev.sieve.embed.gemini.GeminiSettings;
import dev.sieve.embed.local.LocalEmbeddingProvider;
import dev.sieve.embed.local.LocalModelSettings;
import dev.sieve.embed.resolve.FetchPolicy;
import dev.sieve.embed.stage.CacheStatistics;
import dev.sieve.embed.stage.EmbedStage;
import dev.sieve.embed.stage.KafkaSourceReader;
import dev.sieve.http.HttpApi;
import dev.sieve.http.HttpSettings;
import dev.sieve.http.Readiness;
import dev.sieve.labels.LabelEngine;
import dev.sieve.metrics.SieveMetrics;
import dev.sieve.runtime.ClusterAccess;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.serde.SchemaRegistryUnavailableException;
import dev.sieve.topology.SieveTopics;
import dev.sieve.topology.SieveTopology;
import dev.sieve.validate.EventLimits;
import dev.sieve.validate.EventValidator;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Sieve instance: the embedding provider, the topology and the Kafka Streams client
 * that runs it. Used by {@code sieve run} and {@code sieve demo} alike.
 */
public final class SieveService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SieveService.class);
  private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact");

  private final SieveConfig config;
  private final EmbeddingProvider provider;
  private final EmbedStage embedStage;
  private final LabelEngine labels;
  private final KafkaStreams streams;
  private final PrometheusMeterRegistry registry;
  private final KafkaStreamsMetrics streamsMetrics;
  private final JvmGcMetrics gcMetrics;
  private final Readiness readiness = new Readiness();
  private final Function<byte[], LabelDefinition> definitions;
  private volatile HttpApi http;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();

  public SieveService(SieveConfig config) {
    this(config, metrics -> createProvider(config, metrics));
  }

  public SieveService(SieveConfig config, EmbeddingProvider provider) {
    this(config, metrics -> provider);
  }

  /** @param providerFor the provider, given the metrics it records its calls in (the service's one set) */
  private SieveService(SieveConfig config, java.util.function.Function<SieveMetrics, EmbeddingProvider> providerFor) {
    this.config = config;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SieveMetrics metrics = new SieveMetrics(registry);
    this.provider = providerFor.apply(metrics);
    SieveTopics topics = SieveTopics.from(config);
    Deserializer<LabelDefinition> definitionDeserializer = topics.avro().valueSerde(LabelDefinition.class).deserializer();
    this.definitions = value -> definitionDeserializer.deserialize(topics.labels().name(), value);
    Map<String, Object> clientConfig = new HashMap<>();
    config.streamsProperties().forEach((key, value) -> clientConfig.put(key.toString(), value));
    this.embedStage = new EmbedStage(provider, config.embedStageSettings(), topics.eventDeserializer(),
        () -> new KafkaSourceReader(clientConfig), metrics);
    metrics.bindCache(embedStage.cacheStatistics());
    this.labels = LabelEngine.from(config, provider);
    Topology topology = SieveTopology.build(
        topics, new EventValidator(EventLimits.from(config)), embedStage, labels, DedupSettings.from(config), metrics);
    log.debug("Topology:\n{}", topology.describe());
    this.streams = new KafkaStreams(topology, config.streamsProperties());
    streams.setUncaughtExceptionHandler(SieveService::onUncaught);
    streams.setGlobalStateRestoreListener(readiness);
    streams.setStateListener((now, before) -> {
      log.info("Kafka Streams {} -> {}", before, now);
      readiness.onStateChange(now);
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
        stopped.countDown();
      }
    });
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    // The JVM's own figures (heap, GC pauses, threads, CPU): the first question when a pod is slow.
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
  }

  /** The provider named by {@code sieve.embed.provider}. */
  public static EmbeddingProvider createProvider(SieveConfig config) {
    return createProvider(config, SieveMetrics.disabled());
  }

  private static EmbeddingProvider createProvider(SieveConfig config, SieveMetrics metrics) {
    String name = config.getString(SieveConfig.EMBED_PROVIDER);
    return switch (name) {
      case "local" -> new LocalEmbeddingProvider(LocalModelSettings.from(config.values()));
      case GeminiEmbeddingProvider.PROVIDER -> new GeminiEmbeddingProvider(
          GeminiSettings.from(config.values(), System.getenv()), FetchPolicy.from(config.values()), metrics);
      default -> throw new IllegalArgumentException("unknown provider " + name);
    };
  }

  /**
   * Checks that the cluster accepts Sieve's client settings ({@link ClusterAccess}), creates the
   * topics when {@code sieve.topics.create} is set, starts the HTTP server (unless {@value
   * HttpSettings#PORT} is -1), then starts processing.
   *
   * @throws IllegalStateException if the cluster refuses Sieve's settings or does not answer
   *     within {@code default.api.timeout.ms}, naming its address, the security protocol and the cause
   */
  public void start() {
    ClusterAccess.verify(adminConfig());
    if (config.getBoolean(SieveConfig.TOPICS_CREATE)) {
      createTopics();
    }
    HttpSettings httpSettings = config.httpSettings();
    if (httpSettings.enabled()) {
      http = HttpApi.start(httpSettings, new HttpApi.Backend(streams, applicationServer(), readiness, registry,
          labels.catalog(), definitions, provider));
    }
    streams.start();
  }

  /** The port of the HTTP server, once started; empty when it is off. */
  public OptionalInt httpPort() {
    return http == null ? OptionalInt.empty() : OptionalInt.of(http.port());
  }

  /** Whether the instance can serve: RUNNING, nothing restoring (what {@value HttpSettings#READY_PATH} says). */
  public Readiness readiness() {
    return readiness;
  }

  /** This instance's address for interactive queries ({@code application.server}), or null when not set. */
  private HostInfo applicationServer() {
    Object endpoint = config.streamsProperties().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
    return endpoint == null || endpoint.toString().isBlank() ? null : HostInfo.buildFromEndpoint(endpoint.toString());
  }

  /** Waits until the application is RUNNING; false when it stopped or the wait ran out. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      KafkaStreams.State state = streams.state();
      if (state == KafkaStreams.State.RUNNING) {
        return true;
      }
      if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
        return false;
      }
      stopped.await(50, TimeUnit.MILLISECONDS);
    }
    return false;
  }

  /** Blocks until the Kafka Streams client has stopped (after {@link #close()} or a fatal error). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The labels this instance compiles and classifies with. */
  public LabelEngine labels() {
    return labels;
  }

  public EventEmbedder.EmbedTotals embedTotals() {
    return embedStage.totals();
  }

  /** Hits and misses of the embed stage's content cache. */
  public CacheStatistics embedCacheStatistics() {
    return embedStage.cacheStatistics();
  }

  /** Stops processing, committing what was done, then releases the model. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (http != null) {
      http.close();
    }
    Duration timeout = Duration.ofMillis(config.getLong(SieveConfig.SHUTDOWN_TIMEOUT_MS));
    if (!streams.close(timeout)) {
      log.warn("Kafka Streams did not stop within {} ms", timeout.toMillis());
    }
    streamsMetrics.close();
    gcMetrics.close();
    embedStage.close();
    provider.close();
    stopped.countDown();
    log.info("Sieve stopped");
  }

  /** Every topic this service reads or writes, as {@code sieve.topics.*} says to create them. */
  public static List<TopicSpec> topicSpecs(SieveConfig config) {
    int partitions = config.getInt(SieveConfig.TOPICS_PARTITIONS);
    short replication = config.getShort(SieveConfig.TOPICS_REPLICATION);
    return List.of(
        new TopicSpec(config.getString(SieveConfig.TOPIC_EVENTS), partitions, replication, Map.of()),
        new TopicSpec(config.getString(SieveConfig.TOPIC_EMBEDDINGS), partitions, replication, Map.of()),
        new TopicSpec(config.getString(SieveConfig.TOPIC_DLQ), partitions, replication, Map.of()),
        new TopicSpec(config.getString(SieveConfig.TOPIC_CATEGORIES), partitions, replication, Map.of()),
        new TopicSpec(config.getString(SieveConfig.TOPIC_MODERATION), partitions, replication, Map.of()),
        new TopicSpec(config.getString(SieveConfig.TOPIC_DUPLICATES), partitions, replication, Map.of()),
        new TopicSpec(config.getString(SieveConfig.TOPIC_LABELS), partitions, replication, COMPACTED),
        new TopicSpec(config.getString(SieveConfig.TOPIC_CENTROIDS), partitions, replication, COMPACTED));
  }

  private void createTopics() {
    List<TopicSpec> topics = topicSpecs(config);
    try (Admin admin = Admin.create(adminConfig())) {
      new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics);
    }
  }

  /** The settings of Sieve's own admin clients: those of its Kafka client settings that apply to one. */
  private Map<String, Object> adminConfig() {
    Map<String, Object> adminConfig = new HashMap<>();
    config.streamsProperties().forEach((key, value) -> {
      if (AdminClientConfig.configNames().contains(key.toString())) {
        adminConfig.put(key.toString(), value);
      }
    });
    return adminConfig;
  }

  /**
   * A thread that died of a passing condition (registry, broker or embedding provider briefly
   * unreachable) is replaced and resumes from its last commit; anything else stops the instance
   * so that its supervisor restarts it rather than it spinning on the same record.
   */
  private static StreamThreadExceptionResponse onUncaught(Throwable error) {
    if (isTransient(error)) {
      log.warn("Stream thread failed on a transient error; replacing it: {}", error.toString());
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    log.error("Stream thread failed; shutting down this instance", error);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  static boolean isTransient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryUnavailableException || t instanceof ProviderUnavailableException
          || t instanceof RetriableException) {
        return true;
      }
    }
    return false;
  }
}
