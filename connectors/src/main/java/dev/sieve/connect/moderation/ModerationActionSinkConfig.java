package dev.sieve.connect.moderation;

import dev.sieve.connect.config.Field;
import dev.sieve.connect.config.Validators;
import dev.sieve.serde.SpecificAvroSerdeConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyStringWithoutControlChars;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Options of {@link ModerationActionSinkConnector}; the registry settings are those of Sieve's serde. */
public final class ModerationActionSinkConfig extends AbstractConfig {

  private static final String ENDPOINT = "Endpoint";
  private static final String ACTIONS = "Actions";
  private static final String DELIVERY = "Delivery";

  public static final Field URL = Field.create("webhook.url", Type.STRING, ENDPOINT)
      .withValidator(Validators.httpUrl(true)).withImportance(Importance.HIGH).withDisplayName("Webhook URL")
      .withDoc("Where each action is POSTed as JSON. One endpoint per connector: run one connector per "
          + "endpoint, each with its own timeouts, retries and rate limit.");
  public static final Field SECRET = Field.create("webhook.secret", Type.PASSWORD, ENDPOINT)
      .withValidator(new ConfigDef.NonNullValidator()).withImportance(Importance.HIGH).withDisplayName("Signing secret")
      .withDoc("Shared secret of the HMAC-SHA256 signature of each request body (never logged).");
  public static final Field SIGNATURE_HEADER = Field.create("webhook.signature.header", Type.STRING, ENDPOINT)
      .withDefault("X-Sieve-Signature").withValidator(new NonEmptyStringWithoutControlChars())
      .withDisplayName("Signature header")
      .withDoc("Header carrying 'sha256=<hex HMAC-SHA256 of the body>'.");

  public static final Field VERDICTS = Field.create("verdicts", Type.LIST, ACTIONS)
      .withDefault("BLOCK").withValidator(Validators.subsetOf(Set.of("ALLOW", "REVIEW", "BLOCK")))
      .withImportance(Importance.HIGH).withDisplayName("Verdicts")
      .withDoc("Moderation verdicts (from media.moderation) that become actions; others are skipped.");
  public static final Field LABELS = Field.create("labels", Type.LIST, ACTIONS)
      .withDefault("").withDisplayName("Labels")
      .withDoc("When set, only verdicts with a hit on one of these labels become actions.");
  public static final Field DUPLICATE_KINDS = Field.create("duplicate.kinds", Type.LIST, ACTIONS)
      .withDefault("EXACT,NEAR").withValidator(Validators.subsetOf(Set.of("EXACT", "NEAR")))
      .withDisplayName("Duplicate kinds")
      .withDoc("When the connector's topics include media.duplicates: the kinds of duplicate flags "
          + "that become actions (empty: none).");

  public static final Field CONNECT_TIMEOUT_MS = Field.create("connect.timeout.ms", Type.INT, DELIVERY)
      .withDefault(5_000).withValidator(Range.atLeast(1)).withDisplayName("Connect timeout (ms)")
      .withDoc("How long to wait for a connection to the endpoint.");
  public static final Field REQUEST_TIMEOUT_MS = Field.create("request.timeout.ms", Type.INT, DELIVERY)
      .withDefault(10_000).withValidator(Range.atLeast(1)).withDisplayName("Request timeout (ms)")
      .withDoc("How long to wait for the endpoint's answer; a timeout is retried.");
  public static final Field RETRIES = Field.create("retries", Type.INT, DELIVERY)
      .withDefault(5).withValidator(Range.atLeast(0)).withDisplayName("Retries")
      .withDoc("Retries after a 5xx, 408, 429, timeout or connection failure; then the record goes to "
          + "the dead-letter queue.");
  public static final Field BACKOFF_MS = Field.create("retry.backoff.ms", Type.LONG, DELIVERY)
      .withDefault(500L).withValidator(Range.atLeast(0)).withDisplayName("Backoff (ms)")
      .withDoc("Wait before the first retry; doubled for each further one.");
  public static final Field BACKOFF_MAX_MS = Field.create("retry.backoff.max.ms", Type.LONG, DELIVERY)
      .withDefault(10_000L).withValidator(Range.atLeast(0)).withDisplayName("Longest backoff (ms)")
      .withDoc("The longest wait between two retries.");
  public static final Field RATE = Field.create("rate.limit.per.second", Type.DOUBLE, DELIVERY)
      .withDefault(0.0).withValidator(Range.atLeast(0)).withDisplayName("Rate limit")
      .withDoc("Most requests per second to the endpoint (retries included); 0: no limit.");

  private static final List<Field> FIELDS = List.of(URL, SECRET, SIGNATURE_HEADER, VERDICTS, LABELS,
      DUPLICATE_KINDS, CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS, RETRIES, BACKOFF_MS, BACKOFF_MAX_MS, RATE);

  public static final ConfigDef DEFINITION = Field.define(SpecificAvroSerdeConfig.DEFINITION, FIELDS);

  public ModerationActionSinkConfig(Map<String, ?> originals) {
    super(DEFINITION, originals, false);
  }

  public URI url() {
    return URI.create(getString(URL.name()));
  }

  public byte[] secret() {
    return getPassword(SECRET.name()).value().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public String signatureHeader() {
    return getString(SIGNATURE_HEADER.name());
  }

  public Set<String> verdicts() {
    return upper(VERDICTS);
  }

  public Set<String> labels() {
    return Set.copyOf(getList(LABELS.name()));
  }

  public Set<String> duplicateKinds() {
    return upper(DUPLICATE_KINDS);
  }

  public Duration connectTimeout() {
    return Duration.ofMillis(getInt(CONNECT_TIMEOUT_MS.name()));
  }

  public Duration requestTimeout() {
    return Duration.ofMillis(getInt(REQUEST_TIMEOUT_MS.name()));
  }

  public int retries() {
    return getInt(RETRIES.name());
  }

  public Duration backoff() {
    return Duration.ofMillis(getLong(BACKOFF_MS.name()));
  }

  public Duration backoffMax() {
    return Duration.ofMillis(getLong(BACKOFF_MAX_MS.name()));
  }

  public double ratePerSecond() {
    return getDouble(RATE.name());
  }

  private Set<String> upper(Field field) {
    return getList(field.name()).stream().map(v -> v.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }
}
