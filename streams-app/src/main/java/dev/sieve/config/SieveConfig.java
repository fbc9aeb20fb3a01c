package dev.sieve.config;

import dev.sieve.embed.local.LocalModelSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Sieve's own settings (all named {@code sieve.*}), typed and validated at start-up; every other
 * property is passed through to Kafka Streams and its clients unchanged. Construction fails with
 * a {@link ConfigException} naming the offending setting.
 */
public final class SieveConfig extends AbstractConfig {

  public static final String PREFIX = "sieve.";

  public static final String REGISTRY_URL = "sieve.registry.url";
  public static final String REGISTRY_AUTO_REGISTER = "sieve.registry.auto.register";
  public static final String REGISTRY_BASIC_AUTH = "sieve.registry.basic.auth.user.info";
  public static final String SERDE_CLASS = "sieve.serde.class";

  public static final String TOPIC_EVENTS = "sieve.topic.events";
  public static final String TOPIC_EMBEDDINGS = "sieve.topic.embeddings";
  public static final String TOPIC_DLQ = "sieve.topic.dlq";
  public static final String TOPIC_DUPLICATES = "sieve.topic.duplicates";
  public static final String TOPICS_CREATE = "sieve.topics.create";
  public static final String TOPICS_PARTITIONS = "sieve.topics.partitions";
  public static final String TOPICS_REPLICATION = "sieve.topics.replication.factor";

  public static final String EMBED_PROVIDER = "sieve.embed.provider";
  public static final String LOCAL_PDF_MAX_PAGES = LocalModelSettings.PDF_MAX_PAGES;
  public static final String LOCAL_PDF_MAX_BYTES = LocalModelSettings.PDF_MAX_BYTES;
  public static final String LOCAL_INTRA_OP_THREADS = LocalModelSettings.INTRA_OP_THREADS;

  public static final String EVENT_MAX_PARTS = "sieve.event.max.parts";
  public static final String EVENT_MAX_TEXT_CHARS = "sieve.event.max.text.chars";
  public static final String EVENT_MAX_ID_LENGTH = "sieve.event.max.id.length";

  public static final String DEDUP_THRESHOLD = "sieve.dedup.threshold";
  public static final String DEDUP_HORIZON_MS = "sieve.dedup.horizon.ms";
  public static final String DEDUP_HASH_BITS = "sieve.dedup.hash.bits";
  public static final String DEDUP_HASH_SEED = "sieve.dedup.hash.seed";
  public static final String DEDUP_FLOOD_SIMILARITY = "sieve.dedup.flood.similarity";

  public static final String SHUTDOWN_TIMEOUT_MS = "sieve.shutdown.timeout.ms";

  /** The in-process registry the default run uses. */
  public static final String IN_PROCESS_REGISTRY = "mem://sieve";

  private static final String GROUP_REGISTRY = "Schema registry";
  private static final String GROUP_TOPICS = "Topics";
  private static final String GROUP_EMBED = "Embedding";
  private static final String GROUP_EVENTS = "Event limits";
  private static final String GROUP_DEDUP = "De-duplication";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new NonBlank(), Importance.HIGH,
          "Base URL of a Confluent-compatible schema registry (Confluent, Apicurio at "
              + "/apis/ccompat/v7, Karapace, Redpanda), or mem://NAME for the in-process registry.",
          GROUP_REGISTRY, 1, ConfigDef.Width.LONG, "Registry URL")
      .define(REGISTRY_AUTO_REGISTER, Type.BOOLEAN, true, Importance.MEDIUM,
          "Register the schemas Sieve writes when the registry lacks them; when false they "
              + "must be registered beforehand.", GROUP_REGISTRY, 2, ConfigDef.Width.SHORT, "Auto-register")
      .define(REGISTRY_BASIC_AUTH, Type.PASSWORD, null, Importance.LOW,
          "USER:PASSWORD for a registry behind HTTP basic auth.", GROUP_REGISTRY, 3,
          ConfigDef.Width.MEDIUM, "Registry credentials")
      .define(SERDE_CLASS, Type.CLASS, "dev.sieve.serde.SpecificAvroSerde", Importance.LOW,
          "Serde for Avro values; any Serde with a no-arg constructor configured from the same "
              + "properties (e.g. io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde).",
          GROUP_REGISTRY, 4, ConfigDef.Width.LONG, "Avro serde")

      .define(TOPIC_EVENTS, Type.STRING, "media.events", new NonBlank(), Importance.HIGH,
          "Input topic of MediaEvent records.", GROUP_TOPICS, 1, ConfigDef.Width.MEDIUM, "Events")
      .define(TOPIC_EMBEDDINGS, Type.STRING, "media.embeddings", new NonBlank(), Importance.MEDIUM,
          "Output topic of EmbeddedMedia records.", GROUP_TOPICS, 2, ConfigDef.Width.MEDIUM, "Embeddings")
      .define(TOPIC_DLQ, Type.STRING, "media.events.dlq", new NonBlank(), Importance.HIGH,
          "Dead-letter topic: rejected records with their original bytes and reason headers.",
          GROUP_TOPICS, 3, ConfigDef.Width.MEDIUM, "Dead letters")
      .define(TOPIC_DUPLICATES, Type.STRING, "media.duplicates", new NonBlank(), Importance.MEDIUM,
          "Output topic of DuplicateFlag records, one per accepted event.", GROUP_TOPICS, 7,
          ConfigDef.Width.MEDIUM, "Duplicates")
      .define(TOPICS_CREATE, Type.BOOLEAN, false, Importance.LOW,
          "Create missing topics at start-up (the demo does; in production topics are usually "
              + "managed, e.g. by Strimzi KafkaTopic resources).", GROUP_TOPICS, 4,
          ConfigDef.Width.SHORT, "Create topics")
      .define(TOPICS_PARTITIONS, Type.INT, 3, Range.between(1, 10_000), Importance.LOW,
          "Partitions of topics Sieve creates.", GROUP_TOPICS, 5, ConfigDef.Width.SHORT, "Partitions")
      .define(TOPICS_REPLICATION, Type.SHORT, (short) -1, new ReplicationFactor(), Importance.LOW,
          "Replication factor of topics Sieve creates; -1 = the broker's default.", GROUP_TOPICS, 6,
          ConfigDef.Width.SHORT, "Replication factor")

      .define(EMBED_PROVIDER, Type.STRING, "local", ValidString.in("local"), Importance.HIGH,
          "Embedding provider: 'local' (all-MiniLM-L6-v2 on ONNX Runtime, text only, no network).",
          GROUP_EMBED, 1, ConfigDef.Width.SHORT, "Provider")
      .define(LOCAL_PDF_MAX_PAGES, Type.INT, LocalModelSettings.DEFAULTS.pdfMaxPages(), Range.between(1, 1_000), Importance.LOW,
          "Pages of a PDF whose text the local provider embeds.", GROUP_EMBED, 2,
          ConfigDef.Width.SHORT, "PDF pages")
      .define(LOCAL_PDF_MAX_BYTES, Type.INT, LocalModelSettings.DEFAULTS.pdfMaxBytes(), Range.between(1, Integer.MAX_VALUE),
          Importance.LOW, "Largest PDF the local provider parses; larger ones go to the DLQ.",
          GROUP_EMBED, 3, ConfigDef.Width.SHORT, "PDF bytes")
      .define(LOCAL_INTRA_OP_THREADS, Type.INT, LocalModelSettings.DEFAULTS.intraOpThreads(), Range.between(1, 256), Importance.LOW,
          "ONNX Runtime intra-op threads per inference; scale with num.stream.threads instead "
              + "where possible.", GROUP_EMBED, 4, ConfigDef.Width.SHORT, "Intra-op threads")

      .define(EVENT_MAX_PARTS, Type.INT, 32, Range.between(1, 10_000), Importance.MEDIUM,
          "Most parts an event may have; more goes to the DLQ as too-many-parts.", GROUP_EVENTS, 1,
          ConfigDef.Width.SHORT, "Parts")
      .define(EVENT_MAX_TEXT_CHARS, Type.INT, 1_000_000, Range.between(1, Integer.MAX_VALUE),
          Importance.MEDIUM, "Most characters of text an event may carry in all its text parts "
              + "together; more goes to the DLQ as text-too-long (below it, text beyond the "
              + "model's token limit is truncated and flagged).", GROUP_EVENTS, 2,
          ConfigDef.Width.SHORT, "Text chars")
      .define(EVENT_MAX_ID_LENGTH, Type.INT, 256, Range.between(1, 100_000), Importance.LOW,
          "Longest event id accepted.", GROUP_EVENTS, 3, ConfigDef.Width.SHORT, "Id length")

      .define(DEDUP_THRESHOLD, Type.DOUBLE, dev.sieve.dedup.DedupSettings.DEFAULTS.threshold(),
          new UnitInterval(), Importance.MEDIUM,
          "Cosine at or above which two events of one scope and model space are near duplicates "
              + "(default measured for the local model; see README: de-duplication).",
          GROUP_DEDUP, 1, ConfigDef.Width.SHORT, "Threshold")
      .define(DEDUP_HORIZON_MS, Type.LONG, dev.sieve.dedup.DedupSettings.DEFAULTS.horizonMillis(),
          Range.atLeast(1), Importance.MEDIUM,
          "Events further apart than this (occurredAt) are never duplicates; index entries are "
              + "purged this long (stream time) after they arrived, and events that occurred "
              + "longer ago than this before their record timestamp go to the DLQ.",
          GROUP_DEDUP, 2, ConfigDef.Width.SHORT, "Horizon")
      .define(DEDUP_HASH_BITS, Type.INT, dev.sieve.dedup.DedupSettings.DEFAULTS.hashBits(), Range.between(1, 24),
          Importance.LOW, "Random hyperplanes of the routing SimHash: each scope and model space "
              + "is spread over 2^bits cells. Fewer bits catch more near duplicates, more bits "
              + "spread the work; changing it on a running application re-routes every event.",
          GROUP_DEDUP, 3, ConfigDef.Width.SHORT, "Hash bits")
      .define(DEDUP_HASH_SEED, Type.LONG, dev.sieve.dedup.DedupSettings.DEFAULTS.hashSeed(), Importance.LOW,
          "Seed of the routing hyperplanes; every instance must use the same, and changing it "
              + "re-routes every event.", GROUP_DEDUP, 4, ConfigDef.Width.SHORT, "Hash seed")
      .define(DEDUP_FLOOD_SIMILARITY, Type.DOUBLE, dev.sieve.dedup.DedupSettings.DEFAULTS.floodSimilarity(),
          new UnitInterval(), Importance.LOW,
          "An event at least this similar to one stored in the same cells is not stored again "
              + "(it adds nothing): keeps a spam wave from growing the index.",
          GROUP_DEDUP, 5, ConfigDef.Width.SHORT, "Flood similarity")

      .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
          "How long a shutdown waits for in-flight work to commit.", null, -1,
          ConfigDef.Width.SHORT, "Shutdown timeout");

  /** Kafka Streams defaults Sieve changes; each can be overridden. */
  static final Map<String, Object> STREAMS_DEFAULTS = Map.of(
      StreamsConfig.APPLICATION_ID_CONFIG, "sieve",
      StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
      // Kafka Streams 4.4 warns at every start unless this is set, plainly and for the consumer
      // (it will be the default in Kafka 5.0).
      StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true",
      StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), "true");

  private final Map<String, Object> passthrough;

  public SieveConfig(Map<String, ?> properties) {
    super(DEFINITION, rejectUnknownSieveKeys(properties), false);
    Map<String, Object> rest = new TreeMap<>(STREAMS_DEFAULTS);
    properties.forEach((key, value) -> {
      if (!key.startsWith(PREFIX)) {
        rest.put(key, value);
      }
    });
    this.passthrough = rest;
    // Kafka Streams validates its own settings; do it now so a bad one fails at start-up.
    new StreamsConfig(streamsProperties());
  }

  /** Properties for {@link org.apache.kafka.streams.KafkaStreams}: everything not {@code sieve.*}. */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.putAll(passthrough);
    return props;
  }

  /** Configuration handed to serdes: Kafka properties plus the registry settings in Confluent's names. */
  public Map<String, Object> serdeConfig() {
    Map<String, Object> config = new HashMap<>(passthrough);
    config.put("schema.registry.url", getString(REGISTRY_URL));
    config.put("auto.register.schemas", getBoolean(REGISTRY_AUTO_REGISTER));
    var auth = getPassword(REGISTRY_BASIC_AUTH);
    if (auth != null) {
      config.put("basic.auth.credentials.source", "USER_INFO");
      config.put("basic.auth.user.info", auth.value());
    }
    return config;
  }

  public String bootstrapServers() {
    return String.valueOf(passthrough.getOrDefault(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, ""));
  }

  public String applicationId() {
    return String.valueOf(passthrough.get(StreamsConfig.APPLICATION_ID_CONFIG));
  }

  private static Map<String, ?> rejectUnknownSieveKeys(Map<String, ?> properties) {
    for (String key : properties.keySet()) {
      if (key.startsWith(PREFIX) && !DEFINITION.names().contains(key)) {
        throw new ConfigException(key, properties.get(key), "unknown Sieve setting; known settings: "
            + String.join(", ", new java.util.TreeSet<>(DEFINITION.names())));
      }
    }
    return properties;
  }

  /** Rejects empty and blank strings (a missing required setting already fails earlier). */
  private static final class NonBlank implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null || value.toString().isBlank()) {
        throw new ConfigException(name, value, "must not be empty");
      }
    }

    @Override
    public String toString() {
      return "non-empty string";
    }
  }

  /** A fraction in (0, 1]. */
  private static final class UnitInterval implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      double v = (Double) value;
      if (!(v > 0 && v <= 1)) {
        throw new ConfigException(name, value, "must be greater than 0 and at most 1");
      }
    }

    @Override
    public String toString() {
      return "(0,...,1]";
    }
  }

  private static final class ReplicationFactor implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      short factor = (Short) value;
      if (factor == 0 || factor < -1) {
        throw new ConfigException(name, value, "must be -1 (broker default) or at least 1");
      }
    }

    @Override
    public String toString() {
      return "-1 or [1,...]";
    }
  }

  /** Settings documentation, generated from the definitions (README's configuration reference). */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder("| setting | type | default | valid values | description |\n"
        + "| --- | --- | --- | --- | --- |\n");
    var keys = new java.util.ArrayList<>(DEFINITION.configKeys().values());
    keys.sort(java.util.Comparator.comparing((ConfigDef.ConfigKey k) -> k.name));
    for (ConfigDef.ConfigKey key : keys) {
      String dflt = !key.hasDefault() ? "(required)"
          : key.defaultValue == null ? "" : "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`";
      table.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase())
          .append(" | ").append(dflt)
          .append(" | ").append(key.validator == null ? "" : key.validator)
          .append(" | ").append(key.documentation.replace("|", "\\|")).append(" |\n");
    }
    return table.toString();
  }
}
