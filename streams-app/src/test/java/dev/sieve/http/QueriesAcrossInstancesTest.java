package dev.sieve.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.dedup.IndexQueries;
import dev.sieve.dedup.IndexSeed;
import dev.sieve.labels.LabelAdmin;
import dev.sieve.labels.LabelChange;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.service.SieveService;
import dev.sieve.testing.AxisEmbeddingProvider;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.CommittedRecords;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import dev.sieve.topology.SieveTopics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Sieve instances of one application in one JVM, on a real broker, each with its own HTTP
 * server as its {@code application.server}. Events are spread over both (4 partitions), so an
 * answer that covers every event needs both instances.
 *
 * <p>Vectors (12 dimensions): eight clusters of four events, {@code c_i = axis(c) + 0.5 axis(8 + i)},
 * so two events of a cluster are at cosine 0.8 (below the near-duplicate threshold, so all are
 * stored in the index) and events of different clusters at 0.2 or 0. An event is stored in two
 * cells; with 32 events the chance that one instance holds a copy of every one is about 1e-4.
 */
@ExtendWith(SharedKafkaBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueriesAcrossInstancesTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String TOKEN = "test-token-5f2c";
  private static final List<String> CLUSTERS = List.of("a", "b", "c", "d", "e", "f", "g", "h");
  private static final int DIMENSIONS = 12;
  /** A copy of a0's content in a0's partition, so one instance's cache sees both. */
  private static final String COPY = samePartition("a0", "copy-a0-");

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<SieveService> services = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private SieveConfig config;
  private String application;

  @BeforeAll
  void startTwoInstancesAndSendEvents(EmbeddedKafkaBroker broker, TestInfo test,
      @TempDir(factory = BuildDirTempDirFactory.class) Path stateDir) throws Exception {
    String app = TopicNames.unique(test, "app");
    application = app;
    String registry = "mem://" + TopicNames.unique(test, "registry");
    Map<String, String> topics = new HashMap<>();
    for (String topic : List.of(SieveConfig.TOPIC_EVENTS, SieveConfig.TOPIC_EMBEDDINGS, SieveConfig.TOPIC_DLQ,
        SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION, SieveConfig.TOPIC_DUPLICATES,
        SieveConfig.TOPIC_LABELS, SieveConfig.TOPIC_CENTROIDS)) {
      topics.put(topic, TopicNames.unique(test, topic.substring("sieve.topic.".length())));
    }
    for (int i = 0; i < 2; i++) {
      int port = freePort();
      Map<String, Object> props = new HashMap<>(topics);
      props.put("bootstrap.servers", broker.bootstrapServers());
      props.put("application.id", app);
      props.put("application.server", "127.0.0.1:" + port);
      props.put("state.dir", stateDir.resolve("instance-" + i).toString());
      props.put("commit.interval.ms", "100");
      props.put("session.timeout.ms", "6000");
      props.put(SieveConfig.REGISTRY_URL, registry);
      props.put(SieveConfig.TOPICS_CREATE, true);
      props.put(SieveConfig.TOPICS_PARTITIONS, 4);
      // 64 cells per space rather than 4: the cells spread over the partitions of both instances.
      props.put(SieveConfig.DEDUP_HASH_BITS, 6);
      // The texts spell out their vectors ("v:0.1,..."), so they share most of their words: the
      // lexical signal would rightly call them near duplicates, and the index would not store them.
      props.put(SieveConfig.DEDUP_LEXICAL_ENABLED, false);
      props.put(SieveConfig.LABELS_CHECK_INTERVAL_MS, 300L);
      props.put(HttpSettings.PORT, port);
      props.put(HttpSettings.TOKEN, TOKEN);
      SieveConfig instance = new ConfigSources().defaults(props).toConfig();
      SieveService service = new SieveService(instance, new AxisEmbeddingProvider("m", DIMENSIONS));
      service.start();
      services.add(service);
      ports.add(port);
      config = instance;
    }
    for (int i = 0; i < 2; i++) {
      int instance = i;
      await("instance " + i + " ready", () -> get(instance, HttpSettings.READY_PATH, null).statusCode() == 200);
    }

    LabelAdmin admin = new LabelAdmin(config, Clock.systemUTC());
    admin.apply(LabelChange.plan(List.of(LabelDefinition.newBuilder().setId("cluster-a").setKind(LabelKind.MODERATION)
        .setBlockThreshold(0.85f).setExamples(List.of(text(vector("a", -1)))).setNegativeExamples(List.of())
        .build()), admin.definitions()), "test");
    for (SieveService service : services) {
      await("label compiled", () -> service.labels().catalog().centroids("cluster-a").isPresent());
    }

    SieveTopics sieveTopics = SieveTopics.from(config);
    Map<String, byte[]> events = new LinkedHashMap<>();
    for (String cluster : CLUSTERS) {
      for (int i = 0; i < 4; i++) {
        events.put(cluster + i, event(sieveTopics, cluster + i, vector(cluster, i)));
      }
    }
    events.put(COPY, event(sieveTopics, COPY, vector("a", 0)));
    events.put("garbage", new byte[] {1, 2, 3});
    try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      for (var event : events.entrySet()) {
        producer.send(new ProducerRecord<>(sieveTopics.events().name(), event.getKey(), event.getValue())).get();
      }
    }
    // Every accepted event has its flag once the index has taken it.
    CommittedRecords.read(broker, sieveTopics.duplicates().name(), 33, TIMEOUT);
  }

  @AfterAll
  void stop() {
    services.forEach(SieveService::close);
  }

  @Test
  void eachInstanceHoldsOnlyPartOfTheIndexAndSearchMergesBoth() throws Exception {
    Set<String> all = new HashSet<>();
    CLUSTERS.forEach(c -> List.of(0, 1, 2, 3).forEach(i -> all.add(c + i)));
    String space = IndexQueries.spaceKey(new AxisEmbeddingProvider("m", DIMENSIONS).space());
    List<Set<String>> local = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      JsonNode answer = body(post(i, InteractiveQueries.INTERNAL_NEAREST, "{\"scope\":\"\",\"space\":\"" + space + "\",\"k\":100,"
          + "\"vector\":" + json.writeValueAsString(vector("a", -1)) + "}", TOKEN), 200);
      local.add(ids(answer));
    }
    assertThat(local).allSatisfy(ids -> assertThat(ids).isNotEmpty());
    assertThat(local).as("one instance alone does not hold every event").noneMatch(all::equals);
    assertThat(union(local)).isEqualTo(all);

    for (int i = 0; i < 2; i++) {
      JsonNode answer = body(post(i, "/search", "{\"text\":\"" + text(vector("a", -1)).getText() + "\",\"k\":100}", TOKEN), 200);
      assertThat(ids(answer)).as("instance " + i).isEqualTo(all);
      JsonNode top = body(post(i, "/search", "{\"text\":\"" + text(vector("b", -1)).getText() + "\",\"k\":4}", TOKEN), 200);
      assertThat(ids(top)).containsExactlyInAnyOrder("b0", "b1", "b2", "b3");
      assertThat(top.get("items").get(0).get("similarity").asDouble()).isCloseTo(0.894, org.assertj.core.data.Offset.offset(0.01));
    }
  }

  @Test
  void similarFindsTheEventOnTheInstanceThatOwnsItsId() throws Exception {
    int forwarded = 0;
    for (String cluster : CLUSTERS) {
      for (int e = 0; e < 4; e++) {
        String id = cluster + e;
        for (int i = 0; i < 2; i++) {
          boolean heldHere = get(i, InteractiveQueries.INTERNAL_VECTOR + id, TOKEN).statusCode() == 200;
          forwarded += heldHere ? 0 : 1;
          JsonNode answer = body(get(i, "/similar/" + id + "?k=3", TOKEN), 200);
          Set<String> expected = new HashSet<>();
          List.of(0, 1, 2, 3).stream().filter(x -> x != Integer.parseInt(id.substring(1)))
              .forEach(x -> expected.add(cluster + x));
          assertThat(ids(answer)).as("similar to " + id + " asked of instance " + i).isEqualTo(expected);
          assertThat(answer.get("items")).allSatisfy(item ->
              assertThat(item.get("similarity").asDouble()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(0.02)));
        }
      }
    }
    assertThat(forwarded).as("asked of the instance not holding the id").isEqualTo(32);

    JsonNode copy = body(get(0, "/similar/" + COPY + "?k=1", TOKEN), 200);
    assertThat(copy.get("items").get(0).get("eventId").asText()).isEqualTo("a0");
    assertThat(copy.get("items").get(0).get("similarity").asDouble()).isGreaterThan(0.99);
  }

  @Test
  void labelsShowsEachDefinitionWithTheCentroidsCompiledFromIt() throws Exception {
    for (int i = 0; i < 2; i++) {
      JsonNode labels = body(get(i, "/labels", TOKEN), 200).get("labels");
      assertThat(labels).hasSize(1);
      JsonNode label = labels.get(0);
      assertThat(label.get("id").asText()).isEqualTo("cluster-a");
      JsonNode definition = label.get("definition");
      assertThat(definition.get("kind").asText()).isEqualTo("MODERATION");
      assertThat(definition.get("examples").asInt()).isEqualTo(1);
      assertThat(definition.get("changedBy").asText()).isEqualTo("test");
      assertThat(definition.get("blockThreshold").asDouble()).isEqualTo(0.85, org.assertj.core.data.Offset.offset(1e-6));
      JsonNode centroids = label.get("centroids");
      assertThat(centroids.get("version").asLong()).isEqualTo(definition.get("version").asLong());
      assertThat(centroids.get("prototypes").asInt()).isEqualTo(1);
      assertThat(centroids.get("space").get("dimensions").asInt()).isEqualTo(DIMENSIONS);
    }
  }

  @Test
  void dataEndpointsNeedTheBearerTokenAndHealthAndMetricsDoNot() throws Exception {
    HttpResponse<String> missing = get(0, "/labels", null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sieve\"");
    assertThat(body(missing, 401).get("error").asText()).isEqualTo("unauthorized");
    assertThat(body(get(0, "/similar/a0", "wrong-token"), 403).get("error").asText()).isEqualTo("forbidden");
    assertThat(post(0, "/search", "{\"text\":\"x\"}", "test-token-5f2").statusCode()).isEqualTo(403);
    assertThat(get(0, InteractiveQueries.INTERNAL_VECTOR + "a0", null).statusCode()).isEqualTo(401);
    assertThat(get(0, HttpSettings.LIVE_PATH, null).statusCode()).isEqualTo(200);
    assertThat(get(0, HttpSettings.METRICS_PATH, null).statusCode()).isEqualTo(200);
  }

  @Test
  void badRequestsGetJsonErrorsThatSayWhatIsWrong() throws Exception {
    assertError(get(0, "/similar/a0?k=0", TOKEN), 400, "invalid-k", "k must be a whole number from 1 to 100, got '0'");
    assertError(get(0, "/similar/a0?k=ten", TOKEN), 400, "invalid-k", "got 'ten'");
    assertError(get(0, "/similar/nobody", TOKEN), 404, "event-not-indexed", "no vector for event 'nobody'");
    assertError(get(0, "/similar/no%2Fbody", TOKEN), 404, "event-not-indexed", "no vector for event 'no/body'");
    assertError(get(0, "/similar/", TOKEN), 400, "invalid-event-id", "the path must be /similar/{eventId}");
    assertError(post(0, "/search", "{not json", TOKEN), 400, "invalid-json", "not JSON");
    assertError(post(0, "/search", "{\"k\":3}", TOKEN), 400, "empty-query", "needs \"text\" or \"parts\"");
    assertError(post(0, "/search", "{\"parts\":[{\"data\":\"%%%\",\"mimeType\":\"image/png\"}]}", TOKEN), 400,
        "invalid-base64", "parts[0].data is not base64");
    assertError(post(0, "/search", "{\"parts\":[{\"data\":\"iVBORw0KGgo=\",\"mimeType\":\"image/png\"}]}", TOKEN), 422,
        "unsupported-modality-for-provider", "reads text only");
    assertError(post(0, "/labels", "{}", TOKEN), 405, "method-not-allowed", "use GET");
    assertError(get(0, "/nowhere", TOKEN), 404, "no-such-endpoint", "no endpoint /nowhere");
  }

  @Test
  void metricsShowWhatFlowedThroughBothInstances(EmbeddedKafkaBroker broker) throws Exception {
    List<String> scrapes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = get(i, HttpSettings.METRICS_PATH, null);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      scrapes.add(response.body());
    }
    // 33 events: 32 contents embedded, the copy's found in the cache (or in flight) of its partition.
    assertThat(sum(scrapes, "sieve_embed_batch_size_sum", l -> true)).isEqualTo(32);
    assertThat(sum(scrapes, "sieve_embed_latency_seconds_count", l -> true)).isPositive();
    assertThat(sum(scrapes, "sieve_embed_latency_seconds_bucket", l -> l.contains("le=\"+Inf\"")))
        .isEqualTo(sum(scrapes, "sieve_embed_latency_seconds_count", l -> true));
    assertThat(sum(scrapes, "sieve_embed_in_flight", l -> true)).isZero();
    assertThat(sum(scrapes, "sieve_embed_cache_lookups_total", l -> l.contains("result=\"hit\""))).isEqualTo(1);
    assertThat(sum(scrapes, "sieve_embed_cache_hit_ratio", l -> true)).isPositive();
    assertThat(sum(scrapes, "sieve_dlq_records_total", l -> l.contains("stage=\"decode\""))).isEqualTo(1);
    assertThat(sum(scrapes, "sieve_label_compile_seconds_count", l -> l.contains("outcome=\"compiled\""))).isGreaterThanOrEqualTo(1);
    assertThat(sum(scrapes, "sieve_duplicates_total", l -> l.contains("kind=\"EXACT\""))).isEqualTo(1);
    // Each of the 32 distinct events is stored in its two cells: one record in each partition
    // owning one of them (one or two), as the cell stores' changelogs hold them.
    Map<String, byte[]> stored = new HashMap<>();
    CommittedRecords.read(broker, IndexSeed.cellChangelog(application), 32, TIMEOUT, new ByteArrayDeserializer())
        .forEach(r -> stored.put(r.partition() + "/" + r.key(), r.value()));
    assertThat(stored).hasSizeBetween(32, 64).doesNotContainValue(null);
    assertThat(sum(scrapes, "sieve_index_entries", l -> true)).isEqualTo(64);
    assertThat(sum(scrapes, "sieve_index_bytes", l -> true))
        .isEqualTo(stored.values().stream().mapToLong(v -> v.length).sum())
        .isGreaterThan(stored.size() * DIMENSIONS);
    assertThat(sum(scrapes, "sieve_moderation_verdicts_total", l -> l.contains("verdict=\"BLOCK\""))).isEqualTo(5);
    assertThat(sum(scrapes, "sieve_moderation_verdicts_total", l -> l.contains("verdict=\"ALLOW\""))).isEqualTo(28);
    // The JVM's figures are there beside Sieve's.
    assertThat(sum(scrapes, "jvm_memory_used_bytes", l -> l.contains("area=\"heap\""))).isPositive();
    assertThat(sum(scrapes, "jvm_threads_live_threads", l -> true)).isPositive();
    assertThat(sum(scrapes, "sieve_moderation_label_hits_total", l -> l.contains("label=\"cluster-a\""))).isEqualTo(5);
    assertThat(sum(scrapes, "kafka_stream_thread_process_total", l -> true)).isPositive();
  }

  private void assertError(HttpResponse<String> response, int status, String code, String message) throws IOException {
    JsonNode error = body(response, status);
    assertThat(error.get("error").asText()).isEqualTo(code);
    assertThat(error.get("message").asText()).contains(message);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  /** Sum of the samples of {@code name} whose line passes {@code labels}. */
  private static double sum(List<String> scrapes, String name, Predicate<String> labels) {
    Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
    double sum = 0;
    boolean found = false;
    for (String scrape : scrapes) {
      Matcher m = sample.matcher(scrape);
      while (m.find()) {
        if (labels.test(m.group(1) == null ? "" : m.group(1))) {
          sum += Double.parseDouble(m.group(2));
          found = true;
        }
      }
    }
    assertThat(found).as("a sample of " + name).isTrue();
    return sum;
  }

  /** {@code c_i}: the cluster's axis plus half of axis 3 + i; i = -1 gives the cluster's axis alone. */
  private static float[] vector(String cluster, int i) {
    float[] v = new float[DIMENSIONS];
    v[CLUSTERS.indexOf(cluster)] = 1;
    if (i >= 0) {
      v[CLUSTERS.size() + i] = 0.5f;
    }
    return v;
  }

  private static MediaPart text(float[] vector) {
    StringBuilder text = new StringBuilder("v:");
    for (int d = 0; d < vector.length; d++) {
      text.append(d == 0 ? "" : ",").append(vector[d]);
    }
    return MediaPart.newBuilder().setText(text.toString()).build();
  }

  private static byte[] event(SieveTopics topics, String id, float[] vector) {
    MediaEvent event = MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.now()).setSource("test")
        .setParts(List.of(text(vector))).setAttributes(Map.of()).build();
    return topics.avro().valueSerde(MediaEvent.class).serializer().serialize(topics.events().name(), event);
  }

  private static Set<String> union(List<Set<String>> sets) {
    Set<String> union = new HashSet<>();
    sets.forEach(union::addAll);
    return union;
  }

  private Set<String> ids(JsonNode answer) {
    Set<String> ids = new HashSet<>();
    answer.get("items").forEach(item -> ids.add(item.get("eventId").asText()));
    return ids;
  }

  private JsonNode body(HttpResponse<String> response, int status) throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return json.readTree(response.body());
  }

  private HttpResponse<String> get(int instance, String path, String token) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder().GET(), instance, path, token);
  }

  private HttpResponse<String> post(int instance, String path, String body, String token)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString(body)), instance, path, token);
  }

  private HttpResponse<String> send(HttpRequest.Builder request, int instance, String path, String token)
      throws IOException, InterruptedException {
    request.uri(URI.create("http://127.0.0.1:" + ports.get(instance) + path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + TIMEOUT + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  private static String samePartition(String key, String prefix) {
    int partition = partition(key);
    for (int n = 0; ; n++) {
      if (partition(prefix + n) == partition) {
        return prefix + n;
      }
    }
  }

  /** The default partitioner's choice among the 4 input partitions. */
  private static int partition(String key) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % 4;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
