package dev.sieve.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * An {@link InMemorySchemaRegistry} served over HTTP on 127.0.0.1 with the part of the Confluent
 * REST API that {@link RestSchemaRegistry} speaks, so that several processes share one registry
 * without a registry server: {@code POST /subjects/{subject}/versions} (register), {@code POST
 * /subjects/{subject}} (look up) and {@code GET /schemas/ids/{id}}. Errors carry Confluent's
 * {@code error_code}: 40403 for an unknown schema, 42201 for a body that is not one.
 */
public final class SchemaRegistryServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REGISTER = Pattern.compile("/subjects/([^/]+)/versions");
  private static final Pattern LOOKUP = Pattern.compile("/subjects/([^/]+)");
  private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(\\d{1,9})");

  private final InMemorySchemaRegistry registry;
  private final HttpServer server;
  private final ExecutorService handlers;

  /** Serves the in-process registry of {@code scope} (see {@link InMemorySchemaRegistry#named}) on a free port. */
  public SchemaRegistryServer(String scope) {
    this.registry = InMemorySchemaRegistry.named(scope);
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    handlers = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "schema-registry-server");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  /** For {@code sieve.registry.url}: {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      Matcher match;
      if ("POST".equals(method) && (match = REGISTER.matcher(path)).matches()) {
        Schema schema = schemaOf(exchange);
        if (schema != null) {
          send(exchange, 200, JSON.createObjectNode().put("id", registry.register(subject(match), schema)));
        }
      } else if ("POST".equals(method) && (match = LOOKUP.matcher(path)).matches()) {
        Schema schema = schemaOf(exchange);
        if (schema != null) {
          lookup(exchange, subject(match), schema);
        }
      } else if ("GET".equals(method) && (match = BY_ID.matcher(path)).matches()) {
        try {
          Schema schema = registry.schemaById(Integer.parseInt(match.group(1)));
          send(exchange, 200, JSON.createObjectNode().put("schema", schema.toString()));
        } catch (UnknownSchemaIdException e) {
          error(exchange, 404, 40403, "Schema " + match.group(1) + " not found");
        }
      } else {
        error(exchange, 404, 404, "HTTP 404 Not Found");
      }
    }
  }

  private void lookup(HttpExchange exchange, String subject, Schema schema) throws IOException {
    try {
      int id = registry.lookup(subject, schema);
      send(exchange, 200, JSON.createObjectNode().put("subject", subject).put("id", id)
          .put("schema", schema.toString()));
    } catch (SchemaNotRegisteredException e) {
      error(exchange, 404, 40403, "Schema not found");
    }
  }

  private static String subject(Matcher match) {
    return URLDecoder.decode(match.group(1), StandardCharsets.UTF_8);
  }

  /** The schema of the request body, or null after answering 422 when it is not one. */
  private static Schema schemaOf(HttpExchange exchange) throws IOException {
    try {
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      return new Schema.Parser().parse(body.path("schema").asText());
    } catch (IOException | SchemaParseException e) {
      error(exchange, 422, 42201, "Invalid schema: " + e.getMessage());
      return null;
    }
  }

  private static void error(HttpExchange exchange, int status, int code, String message) throws IOException {
    send(exchange, status, JSON.createObjectNode().put("error_code", code).put("message", message));
  }

  private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
