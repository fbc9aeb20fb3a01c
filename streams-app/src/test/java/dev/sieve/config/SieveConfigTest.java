package dev.sieve.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SieveConfigTest {

  private static final Map<String, String> MINIMAL = Map.of(
      "bootstrap.servers", "127.0.0.1:9092", SieveConfig.REGISTRY_URL, "http://registry:8081");

  @Test
  void defaultsToExactlyOnceAndPassesKafkaSettingsThrough() {
    SieveConfig config = new ConfigSources().defaults(MINIMAL).flags(Map.of("num.stream.threads", "2")).toConfig();
    assertThat(config.streamsProperties())
        .containsEntry("processing.guarantee", "exactly_once_v2")
        .containsEntry("num.stream.threads", "2")
        .containsEntry("bootstrap.servers", "127.0.0.1:9092")
        .doesNotContainKey(SieveConfig.REGISTRY_URL);
    assertThat(config.serdeConfig()).containsEntry("schema.registry.url", "http://registry:8081");
    assertThat(config.getString(SieveConfig.TOPIC_EVENTS)).isEqualTo("media.events");
  }

  @Test
  void aMissingRegistryUrlNamesTheSetting() {
    assertThatThrownBy(() -> new SieveConfig(Map.of("bootstrap.servers", "x:1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.REGISTRY_URL);
  }

  @Test
  void anInvalidValueNamesTheSettingAndTheAllowedValues() {
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.EMBED_PROVIDER, "openai")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.EMBED_PROVIDER)
        .hasMessageContaining("local");
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.EVENT_MAX_PARTS, "0")).toConfig())
        .hasMessageContaining(SieveConfig.EVENT_MAX_PARTS);
  }

  @Test
  void theEmbedStageMayNotBlockLongerThanHalfTheTransactionTimeout() {
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.EMBED_MAX_BLOCK_MS, "6000")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.EMBED_MAX_BLOCK_MS)
        .hasMessageContaining("transaction.timeout.ms (10000)");
    SieveConfig longer = new ConfigSources().defaults(MINIMAL).flags(Map.of(
        SieveConfig.EMBED_MAX_BLOCK_MS, "6000", "producer.transaction.timeout.ms", "20000")).toConfig();
    assertThat(longer.embedStageSettings().maxBlock()).isEqualTo(java.time.Duration.ofSeconds(6));
  }

  @Test
  void inconsistentEmbedStageSettingsNameTheSetting() {
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL).flags(Map.of(
        SieveConfig.EMBED_RETRY_BACKOFF_MS, "5000", SieveConfig.EMBED_RETRY_BACKOFF_MAX_MS, "1000")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.EMBED_RETRY_BACKOFF_MAX_MS + " must be at least 5000");
  }

  @Test
  void dedupSettingsAreReadAndValidated() {
    SieveConfig config = new ConfigSources().defaults(MINIMAL).flags(Map.of(
        SieveConfig.DEDUP_THRESHOLD, "0.93", SieveConfig.DEDUP_HORIZON_MS, "3600000",
        SieveConfig.DEDUP_HASH_BITS, "5", SieveConfig.TOPICS_PARTITIONS, "12")).toConfig();
    var settings = dev.sieve.dedup.DedupSettings.from(config);
    assertThat(settings.threshold()).isEqualTo(0.93);
    assertThat(settings.horizon()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(settings.hashBits()).isEqualTo(5);
    assertThat(settings.partitions()).as("the index's partitions are the topics'").isEqualTo(12);
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.DEDUP_THRESHOLD, "1.5")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.DEDUP_THRESHOLD)
        .hasMessageContaining("at most 1");
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.DEDUP_HASH_BITS, "30")).toConfig())
        .hasMessageContaining(SieveConfig.DEDUP_HASH_BITS);
  }

  @Test
  void lexicalSettingsAreReadAndTheirOrderValidated() {
    SieveConfig config = new ConfigSources().defaults(MINIMAL).flags(Map.of(
        SieveConfig.DEDUP_LEXICAL_JACCARD, "0.7", SieveConfig.DEDUP_LEXICAL_MIN_JACCARD, "0.3")).toConfig();
    assertThat(dev.sieve.dedup.DedupSettings.from(config).lexical())
        .isEqualTo(new dev.sieve.dedup.LexicalRule(true, 0.7, 0.3));
    SieveConfig off = new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.DEDUP_LEXICAL_ENABLED, "false")).toConfig();
    assertThat(dev.sieve.dedup.DedupSettings.from(off).lexical().enabled()).isFalse();
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL).flags(Map.of(
        SieveConfig.DEDUP_LEXICAL_JACCARD, "0.4", SieveConfig.DEDUP_LEXICAL_MIN_JACCARD, "0.5")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.DEDUP_LEXICAL_MIN_JACCARD)
        .hasMessageContaining("must be at most " + SieveConfig.DEDUP_LEXICAL_JACCARD);
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.DEDUP_LEXICAL_JACCARD, "0")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.DEDUP_LEXICAL_JACCARD);
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.DEDUP_LEXICAL_MIN_JACCARD, "-0.1")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SieveConfig.DEDUP_LEXICAL_MIN_JACCARD);
  }

  @Test
  void dedupThresholdsPerModelOverrideTheDefaultAndNameTheSettingWhenMalformed() {
    SieveConfig config = new ConfigSources().defaults(MINIMAL).flags(Map.of(
        SieveConfig.DEDUP_THRESHOLD, "0.9",
        SieveConfig.DEDUP_THRESHOLDS, "local/all-MiniLM-L6-v2-q=0.85, gemini/gemini-embedding-2=0.95")).toConfig();
    var thresholds = dev.sieve.dedup.DedupSettings.from(config).thresholds();
    assertThat(thresholds.of("local/all-MiniLM-L6-v2-q/384/")).isEqualTo(0.85);
    assertThat(thresholds.of("gemini/gemini-embedding-2/768/RETRIEVAL")).isEqualTo(0.95);
    assertThat(thresholds.of("gemini/gemini-embedding-2-preview/768/")).isEqualTo(0.9);
    for (String bad : List.of("local=0.8", "local/m", "local/m=high", "local/m=1.2", "local/m=0.8,local/m=0.9")) {
      assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
          .flags(Map.of(SieveConfig.DEDUP_THRESHOLDS, bad)).toConfig())
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(SieveConfig.DEDUP_THRESHOLDS);
    }
  }

  @Test
  void anUnknownSieveSettingIsRejectedNotIgnored() {
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of("sieve.topic.event", "typo")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sieve.topic.event")
        .hasMessageContaining("sieve.topic.events");
  }

  @Test
  void aMisspeltSettingHoldingASecretIsRejectedWithoutQuotingTheSecret() {
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of("sieve.gemini.apikey", "AIza-very-secret")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sieve.gemini.apikey: unknown Sieve setting")
        .hasMessageNotContaining("AIza-very-secret");
  }

  @Test
  void anInvalidKafkaStreamsSettingFailsAtStartUp() {
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of("processing.guarantee", "sometimes")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("processing.guarantee");
  }

  @Test
  void environmentOverridesTheFileAndFlagsOverrideTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sieve.properties");
    Files.writeString(file, "sieve.topic.events=from-file\nsieve.topic.dlq=dlq-from-file\n"
        + "bootstrap.servers=file:9092\nsieve.registry.url=mem://x\n");
    SieveConfig config = new ConfigSources()
        .file(file)
        .environment(Map.of("SIEVE_TOPIC_EVENTS", "from-env", "KAFKA_BOOTSTRAP_SERVERS", "env:9092",
            "KAFKA_HEAP_OPTS", "-Xmx1g", "PATH", "/bin"))
        .flags(Map.of("bootstrap.servers", "flag:9092"))
        .toConfig();
    assertThat(config.getString(SieveConfig.TOPIC_EVENTS)).isEqualTo("from-env");
    assertThat(config.getString(SieveConfig.TOPIC_DLQ)).isEqualTo("dlq-from-file");
    assertThat(config.bootstrapServers()).isEqualTo("flag:9092");
    assertThat(config.streamsProperties()).doesNotContainKey("heap.opts");
  }

  @Test
  void environmentVariablesMapOntoPropertyNames() {
    assertThat(ConfigSources.propertyName("SIEVE_TOPIC_EVENTS")).isEqualTo("sieve.topic.events");
    assertThat(ConfigSources.propertyName("KAFKA_NUM_STREAM_THREADS")).isEqualTo("num.stream.threads");
    assertThat(ConfigSources.propertyName("SIEVE_JAVA_OPTS")).isNull();
    assertThat(ConfigSources.propertyName("SIEVE_DEBUG")).isNull();
    assertThat(ConfigSources.propertyName("SIEVE_LOG_FORMAT")).isNull();
    assertThat(ConfigSources.propertyName("HOME")).isNull();
  }

  @Test
  void registryPasswordsStayOutOfToString() {
    SieveConfig config = new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(SieveConfig.REGISTRY_BASIC_AUTH, "alice:s3cret")).toConfig();
    assertThat(config.serdeConfig()).containsEntry("basic.auth.user.info", "alice:s3cret");
    assertThat(config.values().toString()).doesNotContain("s3cret");
  }

  @Test
  void geminiSettingsAreTypedAndCheckedNamingTheSetting() {
    SieveConfig config = new ConfigSources().defaults(MINIMAL).flags(Map.of(SieveConfig.EMBED_PROVIDER, "gemini",
        dev.sieve.embed.gemini.GeminiSettings.API_KEY, "k-secret")).toConfig();
    var settings = dev.sieve.embed.gemini.GeminiSettings.from(config.values(), Map.of());
    assertThat(settings.dimensions()).isEqualTo(768);
    assertThat(settings.model()).isEqualTo("gemini-embedding-2");
    assertThat(settings.toString()).doesNotContain("k-secret");
    assertThat(dev.sieve.embed.gemini.GeminiSettings.from(new ConfigSources().defaults(MINIMAL).toConfig().values(),
        Map.of("GOOGLE_API_KEY", "from-env")).apiKey().value()).isEqualTo("from-env");
    assertThatThrownBy(() -> dev.sieve.embed.gemini.GeminiSettings.from(
        new ConfigSources().defaults(MINIMAL).toConfig().values(), Map.of()))
        .hasMessageContaining(dev.sieve.embed.gemini.GeminiSettings.API_KEY);
    assertThatThrownBy(() -> new ConfigSources().defaults(MINIMAL)
        .flags(Map.of(dev.sieve.embed.gemini.GeminiSettings.DIMENSIONS, "64")).toConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(dev.sieve.embed.gemini.GeminiSettings.DIMENSIONS);
  }

  @Test
  void theSettingsReferenceListsEverySetting() {
    String table = SieveConfig.markdownTable();
    SieveConfig.DEFINITION.names().forEach(name -> assertThat(table).contains("`" + name + "`"));
  }
}
