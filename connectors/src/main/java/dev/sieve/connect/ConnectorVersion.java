package dev.sieve.connect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version every Sieve connector reports to the Connect worker ({@code Connector.version()}),
 * taken from the build so that it cannot drift from the artifact's.
 */
public final class ConnectorVersion {

  private static final String VERSION = load();

  private ConnectorVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = ConnectorVersion.class.getResourceAsStream("/sieve-connectors.properties")) {
      if (in == null) {
        throw new IllegalStateException("sieve-connectors.properties missing from the connector jar");
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
