package dev.sieve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.dedup.IndexQueries.EventVector;
import dev.sieve.dedup.IndexQueries.Similar;
import dev.sieve.dedup.IndexQueries;
import dev.sieve.dedup.QuantizedVector;
import dev.sieve.topology.StoredDefinition;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The HTTP server's questions to the application's state, across every instance, through Kafka
 * Streams' interactive queries: label definitions ({@link StoredDefinition#STORE}, partitioned by
 * label id: every instance is asked for its own) and similar items. An event's vector lives with its id's partition ({@link
 * IndexQueries#VECTOR_STORE}): the owner is found with {@code queryMetadataForKey} and asked
 * directly. The near-duplicate cells of a scope are spread over all instances ({@link
 * IndexQueries#CELL_STORE}): every instance that hosts the store answers its own top k, and the
 * answers are merged. Another instance is asked over HTTP on the internal routes, with this
 * instance's bearer token; its address is its {@code application.server}.
 *
 * <p>Without {@code application.server} there is no way to reach the others, so the answer is this
 * instance's alone (right for a single instance).
 */
final class InteractiveQueries {

  static final String INTERNAL_VECTOR = "/internal/vector/";
  static final String INTERNAL_NEAREST = "/internal/nearest";
  static final String INTERNAL_DEFINITIONS = "/internal/definitions";
  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);

  private final KafkaStreams streams;
  private final HostInfo self;
  private final BearerToken token;
  private final ObjectMapper json;
  private final Function<byte[], LabelDefinition> definitions;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT).build();

  /** @param self this instance's {@code application.server}, or null when not set */
  InteractiveQueries(KafkaStreams streams, HostInfo self, BearerToken token, ObjectMapper json,
      Function<byte[], LabelDefinition> definitions) {
    this.definitions = definitions;
    this.streams = streams;
    this.self = self;
    this.token = token;
    this.json = json;
  }

  /** The vector of an event, asked of the instance that owns its id. */
  EventVector vectorOf(String eventId) {
    if (self == null) {
      return localVector(eventId).orElseThrow(() -> notIndexed(eventId));
    }
    KeyQueryMetadata owner = streams.queryMetadataForKey(IndexQueries.VECTOR_STORE, eventId,
        Serdes.String().serializer());
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      throw ApiException.unavailable("no instance owns the partition of '" + eventId + "' now (rebalancing); retry");
    }
    if (owner.activeHost().equals(self)) {
      return localVector(eventId).orElseThrow(() -> notIndexed(eventId));
    }
    String path = INTERNAL_VECTOR + URLEncoder.encode(eventId, StandardCharsets.UTF_8);
    HttpResponse<String> answer = send(owner.activeHost(), HttpRequest.newBuilder().GET(), path).join();
    if (answer.statusCode() == 404) {
      throw notIndexed(eventId);
    }
    return eventVector(parse(owner.activeHost(), answer));
  }

  /** Every label definition the compiler holds, over every instance, by label id. */
  Map<String, JsonNode> definitions() {
    List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
    for (HostInfo host : hosts(StoredDefinition.STORE)) {
      answers.add(self == null || host.equals(self)
          ? CompletableFuture.completedFuture(localDefinitions())
          : send(host, HttpRequest.newBuilder().GET(), INTERNAL_DEFINITIONS).thenApply(response -> parse(host, response)));
    }
    Map<String, JsonNode> all = new TreeMap<>();
    for (CompletableFuture<JsonNode> answer : answers) {
      join(answer).path("definitions").forEach(definition -> all.put(definition.path("id").asText(), definition));
    }
    return all;
  }

  /** The definitions held here, with their versions; examples are counted, not shown. */
  ObjectNode localDefinitions() {
    ObjectNode answer = json.createObjectNode();
    ArrayNode list = answer.putArray("definitions");
    try (KeyValueIterator<String, byte[]> all = store(StoredDefinition.STORE).all()) {
      while (all.hasNext()) {
        StoredDefinition stored = StoredDefinition.decode(all.next().value);
        LabelDefinition definition = definitions.apply(stored.value());
        ObjectNode node = list.addObject().put("id", definition.getId()).put("kind", definition.getKind().name())
            .put("version", stored.version()).put("enabled", definition.getEnabled())
            .put("description", definition.getDescription())
            .put("examples", definition.getExamples().size())
            .put("negativeExamples", definition.getNegativeExamples().size())
            .put("changedBy", definition.getChangedBy())
            .put("changedAt", definition.getChangedAt() == null ? null : definition.getChangedAt().toString());
        putFloat(node, "threshold", definition.getThreshold());
        putFloat(node, "reviewThreshold", definition.getReviewThreshold());
        putFloat(node, "blockThreshold", definition.getBlockThreshold());
      }
    }
    return answer;
  }

  static void putFloat(ObjectNode node, String field, Float value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }

  /** The k most similar stored events of a scope and space, over every instance. */
  List<Similar> nearest(String scope, String space, float[] query, int k) {
    List<HostInfo> hosts = hosts(IndexQueries.CELL_STORE);
    List<CompletableFuture<List<Similar>>> answers = new ArrayList<>();
    for (HostInfo host : hosts) {
      if (self == null || host.equals(self)) {
        answers.add(CompletableFuture.completedFuture(localNearest(scope, space, query, k)));
      } else {
        ObjectNode body = json.createObjectNode().put("scope", scope).put("space", space).put("k", k);
        ArrayNode vector = body.putArray("vector");
        for (float v : query) {
          vector.add(v);
        }
        answers.add(send(host, HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .header("Content-Type", "application/json"), INTERNAL_NEAREST)
            .thenApply(response -> similar(parse(host, response))));
      }
    }
    List<List<Similar>> all = new ArrayList<>();
    for (CompletableFuture<List<Similar>> answer : answers) {
      all.add(join(answer));
    }
    return IndexQueries.merge(all, k);
  }

  /** Instances to ask about a store: every host of it, this one included, each once. */
  private List<HostInfo> hosts(String storeName) {
    Set<HostInfo> hosts = new LinkedHashSet<>();
    if (self != null) {
      for (StreamsMetadata metadata : streams.streamsMetadataForStore(storeName)) {
        hosts.add(metadata.hostInfo());
      }
    }
    if (hosts.isEmpty()) {
      hosts.add(self == null ? new HostInfo("local", -1) : self);
    }
    return List.copyOf(hosts);
  }

  Optional<EventVector> localVector(String eventId) {
    return IndexQueries.vector(store(IndexQueries.VECTOR_STORE), eventId);
  }

  List<Similar> localNearest(String scope, String space, float[] query, int k) {
    return IndexQueries.nearest(store(IndexQueries.CELL_STORE), scope, space, query, k);
  }

  private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
    try {
      return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw ApiException.unavailable("store " + name + " is not queryable here now (" + e.getMessage() + "); retry");
    }
  }

  private CompletableFuture<HttpResponse<String>> send(HostInfo host, HttpRequest.Builder request, String path) {
    request.uri(URI.create("http://" + host.host() + ":" + host.port() + path)).timeout(FORWARD_TIMEOUT);
    if (token.header() != null) {
      request.header("Authorization", token.header());
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof ApiException api) {
        throw api;
      }
      throw new ApiException(502, "instance-unreachable", "another instance did not answer: " + e.getCause());
    }
  }

  private JsonNode parse(HostInfo host, HttpResponse<String> response) {
    JsonNode body;
    try {
      body = json.readTree(response.body());
    } catch (IOException e) {
      throw new ApiException(502, "instance-bad-answer", "instance " + host + " answered HTTP "
          + response.statusCode() + " with a body that is not JSON");
    }
    if (response.statusCode() != 200) {
      throw new ApiException(502, "instance-error", "instance " + host + " answered HTTP " + response.statusCode()
          + ": " + body.path("message").asText(""));
    }
    return body;
  }

  private static ApiException notIndexed(String eventId) {
    return ApiException.notFound("event-not-indexed", "no vector for event '" + eventId
        + "': never accepted, rejected before de-duplication, or older than the de-duplication horizon");
  }

  ObjectNode toJson(EventVector vector) {
    ObjectNode node = json.createObjectNode().put("eventId", vector.eventId()).put("scope", vector.scope())
        .put("space", vector.space()).put("occurredAt", vector.occurredAt()).put("timestamp", vector.timestamp())
        .put("scale", vector.vector().scale());
    ArrayNode values = node.putArray("values");
    for (byte v : vector.vector().values()) {
      values.add(v);
    }
    return node;
  }

  private static EventVector eventVector(JsonNode node) {
    JsonNode values = node.path("values");
    byte[] bytes = new byte[values.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) values.get(i).asInt();
    }
    return new EventVector(node.path("eventId").asText(), node.path("scope").asText(), node.path("space").asText(),
        node.path("occurredAt").asLong(), node.path("timestamp").asLong(),
        new QuantizedVector(bytes, (float) node.path("scale").asDouble()));
  }

  ArrayNode toJson(List<Similar> items) {
    ArrayNode array = json.createArrayNode();
    for (Similar item : items) {
      array.addObject().put("eventId", item.eventId()).put("similarity", item.similarity())
          .put("occurredAt", java.time.Instant.ofEpochMilli(item.occurredAt()).toString());
    }
    return array;
  }

  private static List<Similar> similar(JsonNode node) {
    List<Similar> items = new ArrayList<>();
    for (JsonNode item : node.path("items")) {
      items.add(new Similar(item.path("eventId").asText(), (float) item.path("similarity").asDouble(),
          java.time.Instant.parse(item.path("occurredAt").asText()).toEpochMilli()));
    }
    return items;
  }
}
