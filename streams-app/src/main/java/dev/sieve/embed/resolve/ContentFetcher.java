package dev.sieve.embed.resolve;

import dev.sieve.embed.UnembeddableContentException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Fetches the bytes behind an {@code http(s)://} part, within a {@link FetchPolicy}: only from
 * allow-listed hosts, only to public addresses (unless private ones are allowed), within a size and
 * a time limit. Redirects are followed by hand so that each hop is checked like the first.
 *
 * <p>A host name is resolved once per hop; every address it resolves to is checked, and the
 * connection goes to the first of exactly those addresses ({@link PinnedHttpGet}), so a DNS
 * answer that changes between the check and the connection (rebinding) cannot lead the fetch to
 * a private address.
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

  /** Name look-up; the system resolver outside tests. */
  interface HostResolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final FetchPolicy policy;
  private final HostResolver resolver;

  public ContentFetcher(FetchPolicy policy) {
    this(policy, InetAddress::getAllByName);
  }

  ContentFetcher(FetchPolicy policy, HostResolver resolver) {
    this.policy = policy;
    this.resolver = resolver;
  }

  /**
   * @throws dev.sieve.embed.UnembeddableContentException with one of the reasons above
   */
  public Fetched fetch(String uri) {
    long deadline = System.nanoTime() + policy.timeout().toNanos();
    URI current = parse(uri);
    for (int hop = 0; ; hop++) {
      InetAddress address = check(current);
      PinnedHttpGet.Response response = send(current, address, deadline, uri);
      int status = response.status();
      String location = response.headers().get("location");
      if (status >= 300 && status < 400 && location != null) {
        if (hop >= policy.maxRedirects()) {
          throw new UnembeddableContentException(FAILED, uri + " redirected more than "
              + policy.maxRedirects() + " times (" + FetchPolicy.MAX_REDIRECTS + ")");
        }
        current = current.resolve(parse(location));
        continue;
      }
      if (status != 200) {
        throw new UnembeddableContentException(FAILED, "GET " + uri + " answered HTTP " + status);
      }
      return new Fetched(response.body(), response.headers().get("content-type"));
    }
  }

  /** The address to connect to: the first the host resolves to, once all of them passed the guard. */
  private InetAddress check(URI uri) {
    if (!isHttp(uri)) {
      throw new UnembeddableContentException(SCHEME_NOT_ALLOWED,
          "only http and https URIs are fetched, not " + uri.getScheme() + ": " + uri);
    }
    String host = uri.getHost();
    if (host == null || !policy.allowsHost(host)) {
      throw new UnembeddableContentException(HOST_NOT_ALLOWED, "host " + host + " of " + uri
          + " is not in " + FetchPolicy.ALLOWED_HOSTS);
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
    } catch (UnknownHostException e) {
      throw new UnembeddableContentException(FAILED, "host " + host + " of " + uri + " does not resolve");
    }
    if (!policy.allowPrivateAddresses()) {
      for (InetAddress address : addresses) {
        if (!AddressGuard.isPublic(address)) {
          throw new UnembeddableContentException(ADDRESS_NOT_ALLOWED, "host " + host + " resolves to "
              + address.getHostAddress() + ", which is not a public address (see "
              + FetchPolicy.ALLOW_PRIVATE_ADDRESSES + ")");
        }
      }
    }
    return addresses[0];
  }

  private PinnedHttpGet.Response send(URI uri, InetAddress address, long deadline, String original) {
    try {
      return PinnedHttpGet.get(uri, address, deadline, policy.maxBytes());
    } catch (PinnedHttpGet.TooLarge e) {
      throw new UnembeddableContentException(TOO_LARGE, original + " is larger than "
          + policy.maxBytes() + " bytes (" + FetchPolicy.MAX_BYTES + ")");
    } catch (PinnedHttpGet.TimedOut e) {
      throw timedOut(original);
    } catch (IOException | RuntimeException e) {
      throw new UnembeddableContentException(FAILED, "GET " + original + " failed: " + e);
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
}
