package dev.sieve.serde;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/** Picks the {@link SchemaRegistry} for the value of {@code schema.registry.url}. */
public final class SchemaRegistries {
  private static final String SETTING = SpecificAvroSerdeConfig.SCHEMA_REGISTRY_URL;

  private SchemaRegistries() {}

  /**
   * A {@link RestSchemaRegistry} for {@code http://} and {@code https://} URLs (client settings
   * from {@code config}, see {@link SchemaRegistryClientConfig}), the JVM-wide {@link
   * InMemorySchemaRegistry} of the scope for {@code mem://<scope>}.
   *
   * @throws IllegalArgumentException for any other value, naming the setting
   */
  public static SchemaRegistry forUrl(String url, Map<String, ?> config) {
    if (url != null && url.startsWith(InMemorySchemaRegistry.SCHEME)) {
      String scope = url.substring(InMemorySchemaRegistry.SCHEME.length());
      if (scope.isEmpty()) {
        throw new IllegalArgumentException(SETTING + " 'mem://' needs a scope, e.g. mem://sieve");
      }
      return InMemorySchemaRegistry.named(scope);
    }
    URI uri = parse(url);
    if (uri.getRawUserInfo() != null) {
      // The URL is quoted in messages and logs; credentials belong in a password-typed setting.
      throw new IllegalArgumentException(SETTING + " must not contain credentials; set "
          + SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO + " instead");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      throw invalid(url);
    }
    return new RestSchemaRegistry(url, new SchemaRegistryClientConfig(config));
  }

  private static URI parse(String url) {
    if (url == null) {
      throw invalid(null);
    }
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        throw invalid(url);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw invalid(url);
    }
  }

  private static IllegalArgumentException invalid(String url) {
    return new IllegalArgumentException(SETTING + " must be http(s)://host:port[/path] or "
        + "mem://<scope>, got " + (url == null ? "nothing" : "'" + url + "'"));
  }
}
