package dev.sieve.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.ModerationResult;
import dev.sieve.avro.Verdict;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.connect.labels.LabelsSourceConnector;
import dev.sieve.connect.media.MediaSourceConnector;
import dev.sieve.connect.moderation.ModerationActionSinkConnector;
import dev.sieve.connect.worker.ConnectWorker;
import dev.sieve.connect.worker.Topics;
import dev.sieve.http.HttpSettings;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.serde.SpecificAvroDeserializer;
import dev.sieve.service.SieveService;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connectors on a distributed worker with exactly-once source support: the media source
 * across a restart, and the whole way from files to a webhook through the real Sieve topology.
 */
@ExtendWith(SharedKafkaBroker.class)
class DistributedWorkerTest {

  private static final String GROUP = "connect-" + System.nanoTime();
  private static ConnectWorker worker;

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path dir;

  @BeforeAll
  static void startWorker(EmbeddedKafkaBroker broker) {
    worker = ConnectWorker.distributed(broker, GROUP, true);
  }

  @AfterAll
  static void stopWorker() {
    worker.close();
  }

  @Test
  void theMediaSourceInExactlyOnceModeNeitherSkipsNorRepeatsFilesAcrossARestart(
      EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    String name = TopicNames.unique(test, "media");
    String topic = TopicNames.unique(test, "events");
    String registry = "mem://" + TopicNames.unique(test, "registry");
    Topics.create(broker, topic);
    Map<String, String> config = Map.of(
        "connector.class", MediaSourceConnector.class.getName(),
        "exactly.once.support", "required",
        "transaction.boundary", "poll",
        "directories", dir.toString(),
        "topic", topic,
        "schema.registry.url", registry,
        "poll.interval.ms", "100",
        "stable.ms", "200");
    for (int i = 1; i <= 3; i++) {
      Files.writeString(dir.resolve("before-" + i + ".txt"), "file " + i);
    }
    worker.start(name, config);
    Topics.read(broker, topic, 3);
    worker.delete(name);

    Files.writeString(dir.resolve("while-stopped.txt"), "written while the connector was stopped");
    Files.setLastModifiedTime(dir.resolve("before-1.txt"), FileTime.from(Instant.now().plusSeconds(5)));
    Files.writeString(dir.resolve("before-2.txt"), "file 2, changed");
    worker.start(name, config);
    Topics.read(broker, topic, 5);
    Files.writeString(dir.resolve("marker.txt"), "written last");

    List<ConsumerRecord<String, byte[]>> records = Topics.read(broker, topic, 6);
    SpecificAvroDeserializer<MediaEvent> decoder = Topics.decoder(registry);
    List<String> files = records.stream().map(r -> decoder.deserialize(topic, r.value()).getAttributes().get("file.path"))
        .toList();
    assertThat(files).containsExactlyInAnyOrder(
        "before-1.txt", "before-2.txt", "before-3.txt", "while-stopped.txt", "before-2.txt", "marker.txt");
    assertThat(records.stream().map(ConsumerRecord::key).distinct()).hasSize(6);
    try (Admin admin = Admin.create(broker.clientConfig())) {
      // The worker wrote them in transactions of the task's own transactional id.
      assertThat(admin.listTransactions().all().get()).extracting(t -> t.transactionalId())
          .contains(GROUP + "-" + name + "-0");
    }
    worker.delete(name);
  }

  @Test
  void filesBecomeVerdictsAndABlockReachesTheWebhookOnceThoughItFailedTwice(
      EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    SieveConfig sieve = sieveConfig(broker, test);
    String registry = sieve.getString(SieveConfig.REGISTRY_URL);
    String moderation = sieve.getString(SieveConfig.TOPIC_MODERATION);
    String deadLetters = TopicNames.unique(test, "actions-dlq");
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(SieveService.topicSpecs(sieve));
    }
    Topics.create(broker, deadLetters);
    Path labels = Files.createDirectories(dir.resolve("labels"));
    Path media = Files.createDirectories(dir.resolve("media"));
    Files.writeString(labels.resolve("moderation.yaml"), """
        labels:
          - id: threats
            kind: moderation
            examples:
              - text: I will hurt you if you come here again
              - text: You are going to regret this, I will find you and beat you
            review: 0.45
            block: 0.60
        """);
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    List<String> delivered = new CopyOnWriteArrayList<>();
    HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    webhook.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      int attempt = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      int status = attempt <= 2 ? 503 : 200;
      if (status == 200) {
        delivered.add(key);
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    webhook.start();
    try (SieveService service = new SieveService(sieve)) {
      service.start();
      assertThat(service.awaitRunning(ConnectWorker.TIMEOUT)).isTrue();
      worker.start(TopicNames.unique(test, "labels-source"), Map.of(
          "connector.class", LabelsSourceConnector.class.getName(),
          "directory", labels.toString(),
          "topic", sieve.getString(SieveConfig.TOPIC_LABELS),
          "schema.registry.url", registry,
          "poll.interval.ms", "200"));
      ConnectWorker.await("the label compiled", () -> service.labels().catalog().centroids("threats").isPresent());
      worker.start(TopicNames.unique(test, "actions"), Map.of(
          "connector.class", ModerationActionSinkConnector.class.getName(),
          "topics", moderation,
          "webhook.url", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/actions",
          "webhook.secret", "end-to-end",
          "schema.registry.url", registry,
          "retry.backoff.ms", "50",
          "errors.tolerance", "all",
          "errors.deadletterqueue.topic.name", deadLetters,
          "errors.deadletterqueue.topic.replication.factor", "1",
          "consumer.override.auto.offset.reset", "earliest"));
      worker.start(TopicNames.unique(test, "media-source"), Map.of(
          "connector.class", MediaSourceConnector.class.getName(),
          "directories", media.toString(),
          "topic", sieve.getString(SieveConfig.TOPIC_EVENTS),
          "schema.registry.url", registry,
          "poll.interval.ms", "100",
          "stable.ms", "200"));

      Files.writeString(media.resolve("threat.txt"), "I am going to hurt you badly if you come here again");
      Files.writeString(media.resolve("bread.txt"), "A recipe for banana bread with walnuts and cinnamon");

      SpecificAvroDeserializer<ModerationResult> decoder = Topics.decoder(registry);
      Map<String, Verdict> verdicts = Topics.read(broker, moderation, 2).stream()
          .map(r -> decoder.deserialize(moderation, r.value()))
          .collect(Collectors.toMap(ModerationResult::getEventId, ModerationResult::getVerdict));
      SpecificAvroDeserializer<MediaEvent> events = Topics.decoder(registry);
      Map<String, String> idByFile = Topics.read(broker, sieve.getString(SieveConfig.TOPIC_EVENTS), 2).stream()
          .map(r -> events.deserialize(sieve.getString(SieveConfig.TOPIC_EVENTS), r.value()))
          .collect(Collectors.toMap(e -> e.getAttributes().get("file.path"), MediaEvent::getId));
      assertThat(verdicts).containsOnly(
          Map.entry(idByFile.get("threat.txt"), Verdict.BLOCK), Map.entry(idByFile.get("bread.txt"), Verdict.ALLOW));
      ConnectWorker.await("the block delivered", () -> delivered.size() == 1);
      assertThat(delivered).containsExactly(idByFile.get("threat.txt"));
      assertThat(attempts.get(idByFile.get("threat.txt"))).hasValue(3);
      assertThat(attempts).doesNotContainKey(idByFile.get("bread.txt"));
    } finally {
      webhook.stop(0);
      for (String connector : List.copyOf(worker.herder().connectors())) {
        worker.delete(connector);
      }
    }
  }

  private SieveConfig sieveConfig(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("application.id", TopicNames.unique(test, "app"));
    props.put("state.dir", Files.createDirectories(dir.resolve("state")).toString());
    props.put("commit.interval.ms", "100");
    props.put(SieveConfig.REGISTRY_URL, "mem://" + TopicNames.unique(test, "registry"));
    props.put(HttpSettings.PORT, "0"); // several services run at once in a test JVM
    props.put(SieveConfig.TOPICS_PARTITIONS, 1);
    props.put(SieveConfig.LABELS_CHECK_INTERVAL_MS, 300L);
    for (String topic : List.of(SieveConfig.TOPIC_EVENTS, SieveConfig.TOPIC_EMBEDDINGS, SieveConfig.TOPIC_DLQ,
        SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION, SieveConfig.TOPIC_DUPLICATES,
        SieveConfig.TOPIC_LABELS, SieveConfig.TOPIC_CENTROIDS)) {
      props.put(topic, TopicNames.unique(test, topic.substring("sieve.topic.".length())));
    }
    return new ConfigSources().defaults(props).toConfig();
  }
}
