package dev.sieve.embed.resolve;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What Sieve may fetch itself for an {@code http(s)://} part.
 *
 * @param allowedHosts {@value #ALLOWED_HOSTS}: host names fetched from, exact ({@code
 *     media.example.com}) or a suffix written {@code *.example.com}; empty = nothing is fetched
 * @param maxBytes {@value #MAX_BYTES}: larger bodies are refused as {@code uri-too-large}
 * @param timeout {@value #TIMEOUT_MS}: the whole fetch, redirects and body included
 * @param allowPrivateAddresses {@value #ALLOW_PRIVATE_ADDRESSES}: also connect to loopback,
 *     link-local (e.g. 169.254.169.254), private and other non-public addresses
 * @param maxRedirects {@value #MAX_REDIRECTS}: redirects followed, each one checked again
 */
public record FetchPolicy(Set<String> allowedHosts, int maxBytes, Duration timeout,
    boolean allowPrivateAddresses, int maxRedirects) {

  public static final String ALLOWED_HOSTS = "sieve.fetch.allowed.hosts";
  public static final String MAX_BYTES = "sieve.fetch.max.bytes";
  public static final String TIMEOUT_MS = "sieve.fetch.timeout.ms";
  public static final String ALLOW_PRIVATE_ADDRESSES = "sieve.fetch.allow.private.addresses";
  public static final String MAX_REDIRECTS = "sieve.fetch.max.redirects";

  public static final int DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
  public static final int DEFAULT_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_MAX_REDIRECTS = 3;

  /** Fetches nothing. */
  public static final FetchPolicy NONE =
      new FetchPolicy(Set.of(), DEFAULT_MAX_BYTES, Duration.ofMillis(DEFAULT_TIMEOUT_MS), false, DEFAULT_MAX_REDIRECTS);

  /** @throws IllegalArgumentException naming the setting when a value is out of range */
  public FetchPolicy {
    allowedHosts = allowedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT))
        .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
    if (maxBytes < 1) {
      throw new IllegalArgumentException(MAX_BYTES + " must be at least 1, was " + maxBytes);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(TIMEOUT_MS + " must be at least 1, was " + timeout.toMillis());
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException(MAX_REDIRECTS + " must be at least 0, was " + maxRedirects);
    }
  }

  /** From the parsed values of {@code SieveConfig} (types as its definition declares them). */
  @SuppressWarnings("unchecked")
  public static FetchPolicy from(Map<String, ?> values) {
    return new FetchPolicy(
        Set.copyOf((List<String>) values.get(ALLOWED_HOSTS)),
        (Integer) values.get(MAX_BYTES),
        Duration.ofMillis((Integer) values.get(TIMEOUT_MS)),
        (Boolean) values.get(ALLOW_PRIVATE_ADDRESSES),
        (Integer) values.get(MAX_REDIRECTS));
  }

  /** Whether the host (any case) is on the allow-list. */
  public boolean allowsHost(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    for (String allowed : allowedHosts) {
      if (allowed.startsWith("*.") ? name.endsWith(allowed.substring(1)) : name.equals(allowed)) {
        return true;
      }
    }
    return false;
  }
}
