package dev.sieve.connect.moderation;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs actions to one endpoint: signed, paced, retried with backoff on 5xx, 408, 429, timeouts
 * and connection failures. A 2xx is delivered; any other 4xx is the endpoint refusing the action
 * and is not retried.
 */
final class Webhook {

  /** How a delivery ended. */
  sealed interface Outcome {
    /** The endpoint accepted the action. */
    record Delivered(int status, int attempts) implements Outcome {}

    /** The endpoint refused it (4xx other than 408/429), or every retry failed. */
    record Failed(String reason) implements Outcome {}
  }

  private static final Logger log = LoggerFactory.getLogger(Webhook.class);
  private static final int BODY_IN_REASON = 500;

  private final ModerationActionSinkConfig config;
  private final URI url;
  private final HttpClient client;
  private final RequestPacer pacer;
  private final SecretKeySpec key;

  Webhook(ModerationActionSinkConfig config) {
    this.config = config;
    this.url = config.url();
    this.client = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).build();
    this.pacer = new RequestPacer(config.ratePerSecond());
    this.key = new SecretKeySpec(config.secret(), "HmacSHA256");
  }

  /** Delivers {@code action}, retrying as configured; interrupted only when the task stops. */
  Outcome deliver(Action action) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(url)
        .timeout(config.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", action.idempotencyKey())
        .header("X-Sieve-Action", action.kind())
        .header(config.signatureHeader(), signature(key, action.body()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(action.body()))
        .build();
    Duration backoff = config.backoff();
    String last = "";
    for (int attempt = 1; attempt <= config.retries() + 1; attempt++) {
      if (attempt > 1) {
        log.info("Retrying action {} in {} ms ({})", action.idempotencyKey(), backoff.toMillis(), last);
        Thread.sleep(backoff.toMillis());
        backoff = min(backoff.multipliedBy(2), config.backoffMax());
      }
      pacer.await();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 == 2) {
          return new Outcome.Delivered(status, attempt);
        }
        last = "HTTP " + status + " from " + url + ": " + truncated(response.body());
        if (!retryable(status)) {
          return new Outcome.Failed(last);
        }
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + " from " + url + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
    }
    return new Outcome.Failed(last + " (after " + (config.retries() + 1) + " attempts)");
  }

  /** {@code sha256=<hex HMAC-SHA256 of body>}. */
  static String signature(SecretKeySpec key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static boolean retryable(int status) {
    return status >= 500 || status == 408 || status == 429;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String truncated(String body) {
    String flat = body == null ? "" : body.replaceAll("\\s+", " ").strip();
    return flat.length() <= BODY_IN_REASON ? flat : flat.substring(0, BODY_IN_REASON) + "...";
  }
}
