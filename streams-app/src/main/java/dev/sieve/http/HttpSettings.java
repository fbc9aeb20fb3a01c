package dev.sieve.http;

import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the service's HTTP server (health, metrics, queries) and the paths it serves. The
 * Kubernetes manifests take their probe paths and port from here (a test checks they agree).
 *
 * @param host {@value #HOST}: the address to bind; {@code 0.0.0.0} in a container
 * @param port {@value #PORT}: -1 turns the server off, 0 picks a free port
 * @param token {@value #TOKEN}: bearer token for endpoints that reveal or change data; without
 *     one those endpoints answer 403 (health and metrics stay open)
 */
public record HttpSettings(String host, int port, Password token) {

  public static final String HOST = "sieve.http.host";
  public static final String PORT = "sieve.http.port";
  public static final String TOKEN = "sieve.http.token";

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DISABLED = -1;

  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";
  public static final String METRICS_PATH = "/metrics";

  /** Whether the server is to be started at all. */
  public boolean enabled() {
    return port != DISABLED;
  }
}
