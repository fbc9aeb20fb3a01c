package dev.sieve.connect.moderation;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook endpoint on 127.0.0.1 that answers each request with the status {@code answer} gives
 * for its idempotency key and attempt number (1 for the first), keeps the requests it accepted
 * (2xx) and checks every signature.
 */
final class WebhookReceiver implements AutoCloseable {

  /** A request the receiver answered with 2xx. */
  record Accepted(String idempotencyKey, String action, String body, boolean signatureValid) {}

  private final HttpServer server;
  private final SecretKeySpec key;
  private final BiFunction<String, Integer, Integer> answer;
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final List<Accepted> accepted = new CopyOnWriteArrayList<>();

  WebhookReceiver(String secret, BiFunction<String, Integer, Integer> answer) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.answer = answer;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/actions", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/actions";
  }

  List<Accepted> accepted() {
    return List.copyOf(accepted);
  }

  /** How many requests arrived for {@code idempotencyKey}, accepted or not. */
  int attempts(String idempotencyKey) {
    AtomicInteger count = attempts.get(idempotencyKey);
    return count == null ? 0 : count.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
    int attempt = attempts.computeIfAbsent(idempotencyKey, k -> new AtomicInteger()).incrementAndGet();
    int status = answer.apply(idempotencyKey, attempt);
    if (status / 100 == 2) {
      boolean valid = Webhook.signature(key, body).equals(exchange.getRequestHeaders().getFirst("X-Sieve-Signature"));
      accepted.add(new Accepted(idempotencyKey, exchange.getRequestHeaders().getFirst("X-Sieve-Action"),
          new String(body, StandardCharsets.UTF_8), valid));
    }
    byte[] response = ("answer " + status + " to attempt " + attempt).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, response.length);
    exchange.getResponseBody().write(response);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
