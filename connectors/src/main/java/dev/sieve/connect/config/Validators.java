package dev.sieve.connect.config;

import java.nio.file.FileSystems;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;

/** Validators the Kafka {@code ConfigDef} lacks; each names the setting in its error. */
public final class Validators {

  private Validators() {}

  /** A list with at least one entry, none blank. */
  public static Validator nonEmptyList() {
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        List<?> list = (List<?>) value;
        if (list == null) {
          return; // Missing: ConfigDef reports the required option itself.
        }
        if (list.isEmpty()) {
          throw new ConfigException(name, value, "must list at least one entry");
        }
        for (Object item : list) {
          if (String.valueOf(item).isBlank()) {
            throw new ConfigException(name, value, "entries must not be blank");
          }
        }
      }

      @Override
      public String toString() {
        return "non-empty list";
      }
    };
  }

  /** Every entry is a glob the JVM's path matcher accepts ({@code **}/{@code *}/{@code ?}/{@code {a,b}}). */
  public static Validator globs() {
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        for (Object glob : (List<?>) value) {
          try {
            FileSystems.getDefault().getPathMatcher("glob:" + glob);
          } catch (IllegalArgumentException e) {
            throw new ConfigException(name, glob, "not a glob: " + e.getMessage());
          }
        }
      }

      @Override
      public String toString() {
        return "globs, e.g. **/*.jpg";
      }
    };
  }

  /** Every entry is one of {@code allowed} (case-insensitive). */
  public static Validator subsetOf(Set<String> allowed) {
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        for (Object item : (List<?>) value) {
          if (!allowed.contains(String.valueOf(item).toUpperCase(Locale.ROOT))) {
            throw new ConfigException(name, item, "must be one of " + allowed.stream().sorted().toList());
          }
        }
      }

      @Override
      public String toString() {
        return "any of " + String.join(", ", allowed.stream().sorted().toList());
      }
    };
  }

  /** Blank, or an absolute http(s) URL. */
  public static Validator httpUrl(boolean required) {
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        String url = value == null ? "" : value.toString();
        if (url.isBlank() && !required) {
          return;
        }
        try {
          java.net.URI uri = new java.net.URI(url);
          if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new ConfigException(name, value, "must be an http:// or https:// URL with a host");
          }
          if (uri.getRawUserInfo() != null) {
            throw new ConfigException(name, "(hidden)", "must not contain credentials");
          }
        } catch (java.net.URISyntaxException e) {
          throw new ConfigException(name, value, "not a URL: " + e.getReason());
        }
      }

      @Override
      public String toString() {
        return required ? "http(s)://host[:port]/path" : "blank or http(s)://host[:port]/path";
      }
    };
  }
}
