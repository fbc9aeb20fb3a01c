package dev.sieve.embed.resolve;

import dev.sieve.embed.UnembeddableContentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches the bytes behind an {@code http(s)://} part, within a {@link FetchPolicy}: only from
 * allow-listed hosts, only to public addresses (unless private ones are allowed), within a size and
 * a time limit. Redirects are followed by hand so that each hop is checked like the first.
 *
 * <p>Every address a host name resolves to is checked before connecting; the HTTP client then
 * resolves the name again, normally from the JVM's DNS cache. A name whose answer changes between
 * the two look-ups (DNS rebinding) within the cache's lifetime is the remaining gap; pin host
 * names to public addresses in DNS for hosts you allow-list.
 *
 * <p>Failures are {@link UnembeddableContentException}s: the event goes to the DLQ with one of
 * {@value #SCHEME_NOT_ALLOWED}, {@value #HOST_NOT_ALLOWED}, {@value #ADDRESS_NOT_ALLOWED}, {@value
 * #TOO_LARGE}, {@value #TIMED_OUT} or {@value #FAILED}.
 */
public final class ContentFetcher {

  public static final String SCHEME_NOT_ALLOWED = "uri-scheme-not-allowed";
  public static final String HOST_NOT_ALLOWED = "uri-host-not-allowed";
  public static final String ADDRESS_NOT_ALLOWED = "uri-address-not-allowed";
  public static final String TOO_LARGE = "uri-too-large";
  public static final String TIMED_OUT = "uri-fetch-timed-out";
  public static final String FAILED = "uri-fetch-failed";

  /** The bytes behind a URI and the type the server declared (null when it declared none). */
  public record Fetched(byte[] bytes, String contentType) {}

  private final FetchPolicy policy;
  private final HttpClient client;

  public ContentFetcher(FetchPolicy policy) {
    this.policy = policy;
    this.client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(policy.timeout())
        .build();
  }

  /**
   * @throws dev.sieve.embed.UnembeddableContentException with one of the reasons above
   */
  public Fetched fetch(String uri) {
    long deadline = System.nanoTime() + policy.timeout().toNanos();
    URI current = parse(uri);
    for (int hop = 0; ; hop++) {
      check(current);
      HttpResponse<byte[]> response = send(current, deadline, uri);
      int status = response.statusCode();
      if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
        if (hop >= policy.maxRedirects()) {
          throw new UnembeddableContentException(FAILED, uri + " redirected more than "
              + policy.maxRedirects() + " times (" + FetchPolicy.MAX_REDIRECTS + ")");
        }
        current = current.resolve(response.headers().firstValue("Location").get());
        continue;
      }
      if (status != 200) {
        throw new UnembeddableContentException(FAILED, "GET " + uri + " answered HTTP " + status);
      }
      return new Fetched(response.body(), response.headers().firstValue("Content-Type").orElse(null));
    }
  }

  private void check(URI uri) {
    if (!isHttp(uri)) {
      throw new UnembeddableContentException(SCHEME_NOT_ALLOWED,
          "only http and https URIs are fetched, not " + uri.getScheme() + ": " + uri);
    }
    String host = uri.getHost();
    if (host == null || !policy.allowsHost(host)) {
      throw new UnembeddableContentException(HOST_NOT_ALLOWED, "host " + host + " of " + uri
          + " is not in " + FetchPolicy.ALLOWED_HOSTS);
    }
    if (policy.allowPrivateAddresses()) {
      return;
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!AddressGuard.isPublic(address)) {
          throw new UnembeddableContentException(ADDRESS_NOT_ALLOWED, "host " + host + " resolves to "
              + address.getHostAddress() + ", which is not a public address (see "
              + FetchPolicy.ALLOW_PRIVATE_ADDRESSES + ")");
        }
      }
    } catch (UnknownHostException e) {
      throw new UnembeddableContentException(FAILED, "host " + host + " of " + uri + " does not resolve");
    }
  }

  private HttpResponse<byte[]> send(URI uri, long deadline, String original) {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw timedOut(original);
    }
    HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofNanos(remaining)).build();
    CompletableFuture<HttpResponse<byte[]>> future =
        client.sendAsync(request, info -> new BoundedBody(policy.maxBytes(),
            info.headers().firstValueAsLong("Content-Length").orElse(-1)));
    try {
      return future.get(remaining, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw timedOut(original);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new UnembeddableContentException(FAILED, "interrupted while fetching " + original);
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof BodyTooLarge) {
        throw new UnembeddableContentException(TOO_LARGE, original + " is larger than "
            + policy.maxBytes() + " bytes (" + FetchPolicy.MAX_BYTES + ")");
      }
      if (cause instanceof java.net.http.HttpTimeoutException) {
        throw timedOut(original);
      }
      throw new UnembeddableContentException(FAILED, "GET " + original + " failed: " + cause);
    }
  }

  private UnembeddableContentException timedOut(String uri) {
    return new UnembeddableContentException(TIMED_OUT, "GET " + uri + " took longer than "
        + policy.timeout().toMillis() + " ms (" + FetchPolicy.TIMEOUT_MS + ")");
  }

  private static URI parse(String uri) {
    try {
      return new URI(uri);
    } catch (URISyntaxException e) {
      throw new UnembeddableContentException(FAILED, "invalid uri: " + e.getMessage());
    }
  }

  private static boolean isHttp(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return scheme.equals("http") || scheme.equals("https");
  }

  private static final class BodyTooLarge extends IOException {
    BodyTooLarge() {
      super("body exceeds the size limit");
    }
  }

  /** Collects a body up to a limit; stops reading (and fails) as soon as it is passed. */
  private static final class BoundedBody implements BodySubscriber<byte[]> {
    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long declaredLength;
    private Flow.Subscription subscription;

    BoundedBody(int limit, long declaredLength) {
      this.limit = limit;
      this.declaredLength = declaredLength;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (declaredLength > limit) {
        subscription.cancel();
        result.completeExceptionally(new BodyTooLarge());
        return;
      }
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > limit) {
          subscription.cancel();
          result.completeExceptionally(new BodyTooLarge());
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }
}
