package dev.sieve.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent schema registry REST API, for any compatible server (Confluent,
 * Apicurio at {@code /apis/ccompat/v7}, Karapace, Redpanda) given its base URL. Ids and schemas
 * are immutable once registered, so every answer is cached for the life of the client.
 */
public final class RestSchemaRegistry implements SchemaRegistry {
  private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistry.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, "
          + "application/json; qs=0.5";
  /** Gateway answers while the registry behind them is down or restarting. */
  private static final Set<Integer> UNAVAILABLE_STATUSES = Set.of(502, 503, 504);
  private static final int ERROR_CODE_SCHEMA_NOT_FOUND = 40403;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final SchemaRegistryClientConfig config;
  private final Optional<String> authorization;
  private final HttpClient http;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  /** A client of the server at {@code baseUrl}, e.g. {@code http://127.0.0.1:8081}. */
  public RestSchemaRegistry(String baseUrl, SchemaRegistryClientConfig config) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.config = config;
    this.authorization = config.basicAuthUserInfo().map(userInfo ->
        "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).build();
  }

  @Override
  public int register(String subject, Schema schema) {
    return cached(idsBySubjectSchema, new SubjectSchema(subject, schema), () -> {
      int id = idOf(post("/subjects/" + encode(subject) + "/versions", schema));
      log.debug("Registered {} under subject {} as id {} at {}", schema.getFullName(), subject, id, baseUrl);
      schemasById.putIfAbsent(id, schema);
      return id;
    });
  }

  @Override
  public int lookup(String subject, Schema schema) {
    return cached(idsBySubjectSchema, new SubjectSchema(subject, schema), () -> {
      HttpResponse<String> answer = post("/subjects/" + encode(subject), schema);
      if (answer.statusCode() == 404) {
        throw new SchemaNotRegisteredException(
            "schema " + schema.getFullName() + " is not registered under subject '" + subject
                + "' at " + baseUrl + " (" + errorOf(answer) + ")",
            errorCodeOf(answer, ERROR_CODE_SCHEMA_NOT_FOUND));
      }
      int id = idOf(answer);
      schemasById.putIfAbsent(id, schema);
      return id;
    });
  }

  @Override
  public Schema schemaById(int id) {
    return cached(schemasById, id, () -> {
      HttpResponse<String> answer = send(request("/schemas/ids/" + id).GET());
      if (answer.statusCode() == 404) {
        throw new UnknownSchemaIdException(id, baseUrl);
      }
      return new Schema.Parser().parse(field(answer, "schema").asText());
    });
  }

  @Override
  public String toString() {
    return baseUrl;
  }

  private HttpResponse<String> post(String path, Schema schema) {
    String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
    return send(request(path)
        .header("Content-Type", CONTENT_TYPE)
        .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(config.readTimeout())
        .header("Accept", ACCEPT);
    authorization.ifPresent(value -> request.header("Authorization", value));
    return request;
  }

  /** Sends with retries while the server is unreachable; any answer other than a gateway error is returned. */
  private HttpResponse<String> send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    Duration wait = config.retryWait();
    for (int attempt = 1; ; attempt++) {
      String failure;
      Throwable cause = null;
      try {
        HttpResponse<String> answer = http.send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (!UNAVAILABLE_STATUSES.contains(answer.statusCode())) {
          return answer;
        }
        failure = "HTTP " + answer.statusCode();
      } catch (IOException e) {
        failure = describe(e);
        cause = e;
      } catch (InterruptedException e) {
        throw new InterruptException(e);
      }
      if (attempt > config.maxRetries()) {
        throw new SchemaRegistryUnavailableException(
            "schema registry at " + baseUrl + " is unavailable after " + attempt + " attempt(s): "
                + failure, cause);
      }
      log.warn("Schema registry at {} unavailable ({}), retry {} of {} in {} ms",
          baseUrl, failure, attempt, config.maxRetries(), wait.toMillis());
      pause(wait);
      wait = wait.multipliedBy(2);
    }
  }

  /** Loads outside any lock (a request may take seconds); concurrent loads of one key agree. */
  private static <K, V> V cached(Map<K, V> cache, K key, Supplier<V> load) {
    V value = cache.get(key);
    if (value != null) {
      return value;
    }
    V loaded = load.get();
    V earlier = cache.putIfAbsent(key, loaded);
    return earlier != null ? earlier : loaded;
  }

  private int idOf(HttpResponse<String> answer) {
    return field(answer, "id").asInt();
  }

  /** The field of a successful answer; an error answer becomes a {@link SchemaRegistryException}. */
  private JsonNode field(HttpResponse<String> answer, String name) {
    if (answer.statusCode() / 100 != 2) {
      throw new SchemaRegistryException(
          "schema registry at " + baseUrl + " rejected " + answer.request().method() + " "
              + answer.request().uri().getPath() + ": " + errorOf(answer),
          errorCodeOf(answer, answer.statusCode()));
    }
    JsonNode value = parse(answer).path(name);
    if (value.isMissingNode() || value.isNull()) {
      throw new SchemaRegistryException("schema registry at " + baseUrl + " answered "
          + answer.request().uri().getPath() + " without '" + name + "': " + abbreviate(answer.body()),
          answer.statusCode());
    }
    return value;
  }

  /** "HTTP 409, error_code 409: <message>", from the Confluent error body when there is one. */
  private static String errorOf(HttpResponse<String> answer) {
    JsonNode error = parse(answer);
    String message = error.path("message").asText(abbreviate(answer.body()));
    return "HTTP " + answer.statusCode()
        + (error.has("error_code") ? ", error_code " + error.get("error_code").asInt() : "")
        + (message.isEmpty() ? "" : ": " + message);
  }

  private static int errorCodeOf(HttpResponse<String> answer, int fallback) {
    return parse(answer).path("error_code").asInt(fallback);
  }

  private static JsonNode parse(HttpResponse<String> answer) {
    try {
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  private static String abbreviate(String body) {
    return body.length() <= 200 ? body : body.substring(0, 200) + "…";
  }

  /** The exception and its root cause: HttpClient's ConnectException often has no message of its own. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return root == e ? text : text + " (caused by " + root + ")";
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void pause(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }
}
