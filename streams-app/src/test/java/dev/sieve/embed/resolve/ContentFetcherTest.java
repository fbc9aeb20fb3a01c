package dev.sieve.embed.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sieve.embed.UnembeddableContentException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContentFetcherTest {

  private final HttpServer server = start();
  private final String base = "http://127.0.0.1:" + server.getAddress().getPort();

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static HttpServer start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/cat.png", exchange -> {
        exchange.getResponseHeaders().add("Content-Type", "image/png");
        exchange.sendResponseHeaders(200, 4);
        exchange.getResponseBody().write(new byte[] {1, 2, 3, 4});
        exchange.close();
      });
      server.createContext("/big", exchange -> {
        exchange.sendResponseHeaders(200, 0); // chunked: no length to refuse up front
        for (int i = 0; i < 100; i++) {
          exchange.getResponseBody().write(new byte[1024]);
        }
        exchange.close();
      });
      server.createContext("/slow", exchange -> {
        try {
          Thread.sleep(3_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      server.createContext("/to-metadata", exchange -> redirect(exchange, "http://169.254.169.254/latest/meta-data/"));
      server.createContext("/to-cat", exchange -> redirect(exchange, "/cat.png"));
      server.createContext("/missing", exchange -> {
        exchange.sendResponseHeaders(404, -1);
        exchange.close();
      });
      server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void redirect(com.sun.net.httpserver.HttpExchange exchange, String location) throws java.io.IOException {
    exchange.getResponseHeaders().add("Location", location);
    exchange.sendResponseHeaders(302, -1);
    exchange.close();
  }

  private static FetchPolicy policy(boolean allowPrivate, int maxBytes, Duration timeout) {
    return new FetchPolicy(Set.of("127.0.0.1"), maxBytes, timeout, allowPrivate, 3);
  }

  @Test
  void loopbackIsRefusedByDefaultEvenForAnAllowedHost() {
    assertReason(new ContentFetcher(policy(false, 1_000, Duration.ofSeconds(5))), base + "/cat.png",
        ContentFetcher.ADDRESS_NOT_ALLOWED);
  }

  @Test
  void anAllowedHostIsFetchedWhenPrivateAddressesAreExplicitlyAllowed() {
    ContentFetcher.Fetched fetched = new ContentFetcher(policy(true, 1_000, Duration.ofSeconds(5))).fetch(base + "/cat.png");
    assertThat(fetched.bytes()).containsExactly(1, 2, 3, 4);
    assertThat(fetched.contentType()).isEqualTo("image/png");
  }

  @Test
  void theConnectionGoesToTheAddressTheGuardCheckedNotToALaterAnswer() {
    AtomicInteger lookups = new AtomicInteger();
    // DNS rebinding: the first answer is the one checked; any later one would point elsewhere.
    ContentFetcher.HostResolver rebinding = host -> lookups.getAndIncrement() == 0
        ? new InetAddress[] {InetAddress.getLoopbackAddress()}
        : new InetAddress[] {InetAddress.getByAddress(new byte[] {10, (byte) 255, (byte) 255, 1})};
    ContentFetcher fetcher = new ContentFetcher(
        new FetchPolicy(Set.of("media.test"), 1_000, Duration.ofSeconds(5), true, 3), rebinding);

    ContentFetcher.Fetched fetched = fetcher.fetch("http://media.test:" + server.getAddress().getPort() + "/cat.png");

    assertThat(fetched.bytes()).containsExactly(1, 2, 3, 4);
    assertThat(lookups).hasValue(1);
  }

  @Test
  void aNameResolvingToLoopbackIsRefused() {
    ContentFetcher fetcher = new ContentFetcher(new FetchPolicy(Set.of("media.test"), 1_000, Duration.ofSeconds(5),
        false, 3), host -> new InetAddress[] {InetAddress.getByAddress(new byte[] {93, (byte) 184, (byte) 216, 34}),
            InetAddress.getLoopbackAddress()});
    assertReason(fetcher, "http://media.test:" + server.getAddress().getPort() + "/cat.png",
        ContentFetcher.ADDRESS_NOT_ALLOWED);
  }

  @Test
  void hostsOffTheAllowListAndOtherSchemesAreRefused() {
    ContentFetcher fetcher = new ContentFetcher(policy(true, 1_000, Duration.ofSeconds(5)));
    assertReason(fetcher, "http://localhost:" + server.getAddress().getPort() + "/cat.png", ContentFetcher.HOST_NOT_ALLOWED);
    assertReason(fetcher, "file:///etc/passwd", ContentFetcher.SCHEME_NOT_ALLOWED);
    assertReason(fetcher, "ftp://127.0.0.1/x", ContentFetcher.SCHEME_NOT_ALLOWED);
  }

  @Test
  void redirectsAreCheckedLikeTheFirstUri() {
    ContentFetcher fetcher = new ContentFetcher(policy(true, 1_000, Duration.ofSeconds(5)));
    assertThat(fetcher.fetch(base + "/to-cat").bytes()).containsExactly(1, 2, 3, 4);
    assertReason(fetcher, base + "/to-metadata", ContentFetcher.HOST_NOT_ALLOWED);
    FetchPolicy metadataAllowed = new FetchPolicy(Set.of("127.0.0.1", "169.254.169.254"), 1_000,
        Duration.ofSeconds(5), false, 3);
    assertReason(new ContentFetcher(metadataAllowed), "http://169.254.169.254/latest/meta-data/",
        ContentFetcher.ADDRESS_NOT_ALLOWED);
  }

  @Test
  void bodiesOverTheSizeLimitAreRefused() {
    assertReason(new ContentFetcher(policy(true, 10_000, Duration.ofSeconds(5))), base + "/big", ContentFetcher.TOO_LARGE);
    assertReason(new ContentFetcher(policy(true, 3, Duration.ofSeconds(5))), base + "/cat.png", ContentFetcher.TOO_LARGE);
  }

  @Test
  void slowServersTimeOut() {
    long start = System.nanoTime();
    assertReason(new ContentFetcher(policy(true, 1_000, Duration.ofMillis(300))), base + "/slow", ContentFetcher.TIMED_OUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void errorAnswersFailTheFetch() {
    assertReason(new ContentFetcher(policy(true, 1_000, Duration.ofSeconds(5))), base + "/missing", ContentFetcher.FAILED);
  }

  @Test
  void onlyPublicAddressesPassTheGuard() throws Exception {
    for (String address : new String[] {"127.0.0.1", "169.254.169.254", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "224.0.0.1"}) {
      assertThat(AddressGuard.isPublic(InetAddress.getByName(address))).as(address).isFalse();
    }
    for (String address : new String[] {"8.8.8.8", "172.32.0.1", "2001:4860:4860::8888"}) {
      assertThat(AddressGuard.isPublic(InetAddress.getByName(address))).as(address).isTrue();
    }
  }

  @Test
  void allowListEntriesMatchExactlyOrBySuffix() {
    FetchPolicy policy = new FetchPolicy(Set.of("Media.Example.com", "*.cdn.example.org"), 1, Duration.ofSeconds(1), false, 0);
    assertThat(policy.allowsHost("media.example.com")).isTrue();
    assertThat(policy.allowsHost("evilmedia.example.com")).isFalse();
    assertThat(policy.allowsHost("a.cdn.example.org")).isTrue();
    assertThat(policy.allowsHost("cdn.example.org.evil.com")).isFalse();
  }

  private static void assertReason(ContentFetcher fetcher, String uri, String reason) {
    assertThatThrownBy(() -> fetcher.fetch(uri))
        .isInstanceOfSatisfying(UnembeddableContentException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
