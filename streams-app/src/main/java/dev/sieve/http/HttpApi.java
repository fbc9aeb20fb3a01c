package dev.sieve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.MediaPart;
import dev.sieve.dedup.IndexQueries.EventVector;
import dev.sieve.dedup.IndexQueries.Similar;
import dev.sieve.dedup.IndexQueries;
import dev.sieve.embed.BatchRejectedException;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.ProviderUnavailableException;
import dev.sieve.embed.UnembeddableContentException;
import dev.sieve.labels.CentroidCatalog;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP server (the JDK's, no dependency). Open: {@value HttpSettings#LIVE_PATH},
 * {@value HttpSettings#READY_PATH}, {@value HttpSettings#METRICS_PATH}. Behind the bearer token:
 * {@code GET /labels}, {@code GET /similar/{eventId}?k=10}, {@code POST /search}, and the internal
 * routes other instances forward queries to. Every error is JSON: {@code {"error": code,
 * "message": text}}.
 */
public final class HttpApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  static final int DEFAULT_K = 10;
  static final int MAX_K = 100;
  /** Inline media in a search query is base64 in JSON; this bounds what one request may hold. */
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  /**
   * What the routes read: the running service's parts.
   *
   * @param self this instance's {@code application.server}, or null when not set
   * @param definitions decodes a label definition as stored by the compiler
   */
  public record Backend(KafkaStreams streams, HostInfo self, Readiness readiness, PrometheusMeterRegistry metrics,
      CentroidCatalog labels, Function<byte[], LabelDefinition> definitions, EmbeddingProvider provider) {}

  private final HttpServer server;
  private final ExecutorService workers;
  private final Backend backend;
  private final BearerToken token;
  private final InteractiveQueries queries;
  private final ObjectMapper json = new ObjectMapper();

  private HttpApi(HttpServer server, ExecutorService workers, Backend backend, BearerToken token) {
    this.server = server;
    this.workers = workers;
    this.backend = backend;
    this.token = token;
    this.queries = new InteractiveQueries(backend.streams(), backend.self(), token, json, backend.definitions());
  }

  /** Binds {@code settings.host():settings.port()} and starts serving. */
  public static HttpApi start(HttpSettings settings, Backend backend) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(settings.host(), Math.max(settings.port(), 0)), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the HTTP server to " + settings.host() + ":" + settings.port()
          + " (" + HttpSettings.HOST + ", " + HttpSettings.PORT + ")", e);
    }
    AtomicInteger number = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(4, task -> {
      Thread thread = new Thread(task, "sieve-http-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(workers);
    HttpApi api = new HttpApi(server, workers, backend, new BearerToken(settings.token()));
    server.createContext("/", api::handle);
    server.start();
    log.info("HTTP server on http://{}:{} (data endpoints {})", settings.host(), api.port(),
        api.token.configured() ? "need the bearer token" : "off: " + HttpSettings.TOKEN + " is not set");
    return api;
  }

  /** The port bound (the chosen one when {@link HttpSettings#PORT} is 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (ApiException e) {
        sendError(exchange, e);
      } catch (RuntimeException e) {
        log.warn("HTTP {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
        sendError(exchange, new ApiException(500, "internal-error", e.getClass().getSimpleName() + ": " + e.getMessage()));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    // Raw: an event id may hold an encoded '/', decoded only once it is cut out of the path.
    String path = exchange.getRequestURI().getRawPath();
    switch (path) {
      case HttpSettings.LIVE_PATH -> {
        expect(method, "GET");
        Readiness readiness = backend.readiness();
        send(exchange, readiness.alive() ? 200 : 503, status(readiness.alive() ? "UP" : "DOWN"));
      }
      case HttpSettings.READY_PATH -> {
        expect(method, "GET");
        Readiness readiness = backend.readiness();
        send(exchange, readiness.ready() ? 200 : 503, status(readiness.ready() ? "READY" : "NOT_READY"));
      }
      case HttpSettings.METRICS_PATH -> {
        expect(method, "GET");
        byte[] body = backend.metrics().scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
      case "/labels" -> {
        expect(method, "GET");
        authorize(exchange);
        send(exchange, 200, labels());
      }
      case "/search" -> {
        expect(method, "POST");
        authorize(exchange);
        send(exchange, 200, search(body(exchange)));
      }
      case InteractiveQueries.INTERNAL_DEFINITIONS -> {
        expect(method, "GET");
        authorize(exchange);
        send(exchange, 200, queries.localDefinitions());
      }
      case InteractiveQueries.INTERNAL_NEAREST -> {
        expect(method, "POST");
        authorize(exchange);
        send(exchange, 200, localNearest(body(exchange)));
      }
      default -> {
        if (path.startsWith("/similar/")) {
          expect(method, "GET");
          authorize(exchange);
          send(exchange, 200, similar(pathId(path, "/similar/"), query(exchange)));
        } else if (path.startsWith(InteractiveQueries.INTERNAL_VECTOR)) {
          expect(method, "GET");
          authorize(exchange);
          String id = pathId(path, InteractiveQueries.INTERNAL_VECTOR);
          EventVector vector = queries.localVector(id).orElseThrow(() ->
              ApiException.notFound("event-not-indexed", "no vector for event '" + id + "' here"));
          send(exchange, 200, queries.toJson(vector));
        } else {
          throw ApiException.notFound("no-such-endpoint", "no endpoint " + path + "; see the README's HTTP endpoints");
        }
      }
    }
  }

  private ObjectNode status(String status) {
    Readiness readiness = backend.readiness();
    return json.createObjectNode().put("status", status).put("state", readiness.state().name())
        .put("restoringPartitions", readiness.restoring());
  }

  /** Definitions (from the instances that hold them) joined with the centroids compiled from them. */
  private ObjectNode labels() {
    Map<String, JsonNode> definitions = queries.definitions();
    Map<String, LabelCentroids> centroids = new TreeMap<>();
    backend.labels().all().forEach(label -> centroids.put(label.getLabelId(), label));
    Set<String> ids = new TreeSet<>(definitions.keySet());
    ids.addAll(centroids.keySet());
    ObjectNode answer = json.createObjectNode();
    ArrayNode labels = answer.putArray("labels");
    for (String id : ids) {
      ObjectNode node = labels.addObject().put("id", id);
      node.set("definition", definitions.getOrDefault(id, json.nullNode()));
      LabelCentroids label = centroids.get(id);
      if (label == null) {
        node.putNull("centroids");
        continue;
      }
      ObjectNode compiled = node.putObject("centroids").put("version", label.getVersion())
          .put("definitionHash", label.getDefinitionHash()).put("compiledAt", label.getCompiledAt().toString())
          .put("enabled", label.getEnabled()).put("prototypes", label.getPrototypes().size());
      compiled.putObject("space").put("provider", label.getSpace().getProvider())
          .put("model", label.getSpace().getModel()).put("dimensions", label.getSpace().getDimensions());
      InteractiveQueries.putFloat(compiled, "threshold", label.getThreshold());
      InteractiveQueries.putFloat(compiled, "reviewThreshold", label.getReviewThreshold());
      InteractiveQueries.putFloat(compiled, "blockThreshold", label.getBlockThreshold());
    }
    return answer;
  }

  private ObjectNode similar(String eventId, Map<String, String> query) {
    int k = k(query.get("k"));
    EventVector vector = queries.vectorOf(eventId);
    // One more, since the event is normally among its own nearest and is left out.
    List<Similar> items = queries.nearest(vector.scope(), vector.space(), vector.vector().toFloats(), k + 1)
        .stream().filter(s -> !s.eventId().equals(eventId)).limit(k).toList();
    ObjectNode answer = json.createObjectNode().put("eventId", eventId).put("scope", vector.scope())
        .put("space", vector.space()).put("k", k);
    answer.set("items", queries.toJson(items));
    return answer;
  }

  private ObjectNode search(JsonNode request) {
    int k = request.has("k") ? k(request.get("k").asText()) : DEFAULT_K;
    String scope = request.path("scope").asText("");
    List<MediaPart> parts = parts(request);
    Map<String, String> attributes = new HashMap<>();
    request.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
    EmbeddingProvider provider = backend.provider();
    float[] vector;
    try {
      vector = provider.embed(List.of(provider.prepare(parts, attributes))).get(0).vector();
    } catch (UnembeddableContentException e) {
      throw new ApiException(422, e.reason(), e.getMessage());
    } catch (BatchRejectedException e) {
      throw new ApiException(422, e.reason(), e.getMessage());
    } catch (ProviderUnavailableException e) {
      throw new ApiException(503, "provider-unavailable", e.getMessage());
    }
    String space = IndexQueries.spaceKey(provider.space());
    ObjectNode answer = json.createObjectNode().put("scope", scope).put("space", space).put("k", k);
    answer.set("items", queries.toJson(queries.nearest(scope, space, vector, k)));
    return answer;
  }

  private static List<MediaPart> parts(JsonNode request) {
    List<MediaPart> parts = new ArrayList<>();
    if (request.hasNonNull("text")) {
      parts.add(MediaPart.newBuilder().setText(request.get("text").asText()).build());
    }
    for (JsonNode part : request.path("parts")) {
      MediaPart.Builder builder = MediaPart.newBuilder();
      if (part.hasNonNull("mimeType")) {
        builder.setMimeType(part.get("mimeType").asText());
      }
      if (part.hasNonNull("text")) {
        builder.setText(part.get("text").asText());
      } else if (part.hasNonNull("uri")) {
        builder.setUri(part.get("uri").asText());
      } else if (part.hasNonNull("data")) {
        try {
          builder.setData(ByteBuffer.wrap(Base64.getDecoder().decode(part.get("data").asText())));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest("invalid-base64", "parts[" + parts.size() + "].data is not base64: " + e.getMessage());
        }
      } else {
        throw ApiException.badRequest("empty-part", "parts[" + parts.size() + "] has none of text, data, uri");
      }
      parts.add(builder.build());
    }
    if (parts.isEmpty()) {
      throw ApiException.badRequest("empty-query", "a search needs \"text\" or \"parts\" "
          + "([{\"text\": ...} | {\"data\": base64, \"mimeType\": ...} | {\"uri\": ..., \"mimeType\": ...}])");
    }
    return parts;
  }

  private ObjectNode localNearest(JsonNode request) {
    JsonNode values = request.path("vector");
    float[] vector = new float[values.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = (float) values.get(i).asDouble();
    }
    List<Similar> items = queries.localNearest(request.path("scope").asText(""), request.path("space").asText(),
        vector, k(request.path("k").asText()));
    ObjectNode answer = json.createObjectNode();
    answer.set("items", queries.toJson(items));
    return answer;
  }

  private static int k(String value) {
    if (value == null) {
      return DEFAULT_K;
    }
    try {
      int k = Integer.parseInt(value.strip());
      if (k >= 1 && k <= MAX_K) {
        return k;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest("invalid-k", "k must be a whole number from 1 to " + MAX_K + ", got '" + value + "'");
  }

  private void authorize(HttpExchange exchange) {
    switch (token.check(exchange.getRequestHeaders().getFirst("Authorization"))) {
      case ACCEPTED -> { }
      case MISSING -> {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"sieve\"");
        throw new ApiException(401, "unauthorized", "this endpoint needs 'Authorization: Bearer <token>'");
      }
      case WRONG -> throw new ApiException(403, "forbidden", "the bearer token is not this service's");
      case NOT_CONFIGURED -> throw new ApiException(403, "forbidden",
          "data endpoints are off: set " + HttpSettings.TOKEN + " to enable them");
    }
  }

  private static void expect(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new ApiException(405, "method-not-allowed", method + " is not allowed here; use " + allowed);
    }
  }

  private JsonNode body(HttpExchange exchange) throws IOException {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new ApiException(413, "body-too-large", "the request body is over " + MAX_BODY_BYTES + " bytes");
    }
    try {
      JsonNode node = json.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw ApiException.badRequest("invalid-json", "the request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("invalid-json", "the request body is not JSON: " + e.getOriginalMessage());
    }
  }

  private static String pathId(String path, String prefix) {
    String raw = path.substring(prefix.length());
    if (raw.isEmpty() || raw.contains("/")) {
      throw ApiException.badRequest("invalid-event-id", "the path must be " + prefix + "{eventId}, the id URL-encoded");
    }
    return URLDecoder.decode(raw, StandardCharsets.UTF_8);
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> query = new HashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return query;
  }

  private void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void sendError(HttpExchange exchange, ApiException error) throws IOException {
    send(exchange, error.status(), json.createObjectNode().put("error", error.code()).put("message", error.getMessage()));
  }

  /** Stops accepting requests, lets running ones finish for up to a second, and stops the workers. */
  @Override
  public void close() {
    server.stop(1);
    workers.shutdownNow();
  }
}
