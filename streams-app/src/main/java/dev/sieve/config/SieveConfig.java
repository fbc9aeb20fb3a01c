package dev.sieve.config;

import dev.sieve.embed.gemini.GeminiSettings;
import dev.sieve.embed.local.LocalModelSettings;
import dev.sieve.embed.resolve.FetchPolicy;
import dev.sieve.embed.stage.EmbedStageSettings;
import dev.sieve.http.HttpSettings;
import java.util.HashMap;
import java.util.List;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
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
  public static final String TOPIC_CATEGORIES = "sieve.topic.categories";
  public static final String TOPIC_MODERATION = "sieve.topic.moderation";
  public static final String TOPIC_LABELS = "sieve.topic.labels";
  public static final String TOPIC_CENTROIDS = "sieve.topic.centroids";
  public static final String TOPIC_DUPLICATES = "sieve.topic.duplicates";
  public static final String TOPICS_CREATE = "sieve.topics.create";
  public static final String TOPICS_PARTITIONS = "sieve.topics.partitions";
  public static final String TOPICS_REPLICATION = "sieve.topics.replication.factor";

  public static final String EMBED_PROVIDER = "sieve.embed.provider";
  public static final String LOCAL_PDF_MAX_PAGES = LocalModelSettings.PDF_MAX_PAGES;
  public static final String LOCAL_PDF_MAX_BYTES = LocalModelSettings.PDF_MAX_BYTES;
  public static final String LOCAL_INTRA_OP_THREADS = LocalModelSettings.INTRA_OP_THREADS;

  public static final String EMBED_BATCH_SIZE = EmbedStageSettings.BATCH_SIZE;
  public static final String EMBED_BATCH_LINGER_MS = EmbedStageSettings.BATCH_LINGER_MS;
  public static final String EMBED_MAX_IN_FLIGHT = EmbedStageSettings.MAX_IN_FLIGHT;
  public static final String EMBED_MAX_PENDING = EmbedStageSettings.MAX_PENDING;
  public static final String EMBED_MAX_BLOCK_MS = EmbedStageSettings.MAX_BLOCK_MS;
  public static final String EMBED_CACHE_ENTRIES = EmbedStageSettings.CACHE_ENTRIES;
  public static final String EMBED_INLINE_MAX_BYTES = EmbedStageSettings.INLINE_MAX_BYTES;
  public static final String EMBED_RETRY_BACKOFF_MS = EmbedStageSettings.RETRY_BACKOFF_MS;
  public static final String EMBED_RETRY_BACKOFF_MAX_MS = EmbedStageSettings.RETRY_BACKOFF_MAX_MS;

  public static final String EVENT_MAX_PARTS = "sieve.event.max.parts";
  public static final String EVENT_MAX_TEXT_CHARS = "sieve.event.max.text.chars";
  public static final String EVENT_MAX_ID_LENGTH = "sieve.event.max.id.length";
  public static final String EVENT_MAX_BYTES = "sieve.event.max.bytes";

  public static final String LABELS_CHECK_INTERVAL_MS = "sieve.labels.check.interval.ms";
  public static final String DEDUP_THRESHOLD = "sieve.dedup.threshold";
  public static final String DEDUP_THRESHOLDS = "sieve.dedup.thresholds";
  public static final String DEDUP_HORIZON_MS = "sieve.dedup.horizon.ms";
  public static final String DEDUP_HASH_BITS = "sieve.dedup.hash.bits";
  public static final String DEDUP_HASH_SEED = "sieve.dedup.hash.seed";
  public static final String DEDUP_FLOOD_SIMILARITY = "sieve.dedup.flood.similarity";
  public static final String DEDUP_LEXICAL_ENABLED = "sieve.dedup.lexical.enabled";
  public static final String DEDUP_LEXICAL_JACCARD = "sieve.dedup.lexical.jaccard";
  public static final String DEDUP_LEXICAL_MIN_JACCARD = "sieve.dedup.lexical.min.jaccard";

  public static final String SHUTDOWN_TIMEOUT_MS = "sieve.shutdown.timeout.ms";

  /** The in-process registry the default run uses. */
  public static final String IN_PROCESS_REGISTRY = "mem://sieve";

  private static final String GROUP_REGISTRY = "Schema registry";
  private static final String GROUP_TOPICS = "Topics";
  private static final String GROUP_EMBED = "Embedding";
  private static final String GROUP_EVENTS = "Event limits";
  private static final String GROUP_GEMINI = "Gemini";
  private static final String GROUP_FETCH = "Content fetching";
  private static final String GROUP_LABELS = "Labels";
  private static final String GROUP_STAGE = "Embed stage";
  private static final EmbedStageSettings STAGE = EmbedStageSettings.DEFAULTS;
  private static final String GROUP_DEDUP = "De-duplication";
  private static final String GROUP_HTTP = "HTTP";

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
      .define(TOPIC_CATEGORIES, Type.STRING, "media.categories", new NonBlank(), Importance.HIGH,
          "Output topic of CategoryResult records, one per embedded event.", GROUP_TOPICS, 7,
          ConfigDef.Width.MEDIUM, "Categories")
      .define(TOPIC_MODERATION, Type.STRING, "media.moderation", new NonBlank(), Importance.HIGH,
          "Output topic of ModerationResult records, one per embedded event.", GROUP_TOPICS, 8,
          ConfigDef.Width.MEDIUM, "Moderation")
      .define(TOPIC_LABELS, Type.STRING, "sieve.labels", new NonBlank(), Importance.MEDIUM,
          "Compacted topic of LabelDefinition records (key = label id, a tombstone deletes); "
              + "written by 'sieve labels apply'.", GROUP_TOPICS, 9, ConfigDef.Width.MEDIUM, "Labels")
      .define(TOPIC_CENTROIDS, Type.STRING, "sieve.label-centroids", new NonBlank(), Importance.MEDIUM,
          "Compacted topic of LabelCentroids records written by the label compiler and read by "
              + "every instance.", GROUP_TOPICS, 10, ConfigDef.Width.MEDIUM, "Centroids")
      .define(TOPIC_DUPLICATES, Type.STRING, "media.duplicates", new NonBlank(), Importance.MEDIUM,
          "Output topic of DuplicateFlag records, one per accepted event.", GROUP_TOPICS, 11,
          ConfigDef.Width.MEDIUM, "Duplicates")
      .define(TOPICS_CREATE, Type.BOOLEAN, false, Importance.LOW,
          "Create missing topics at start-up (the demo does; in production topics are usually "
              + "managed, e.g. by Strimzi KafkaTopic resources).", GROUP_TOPICS, 4,
          ConfigDef.Width.SHORT, "Create topics")
      .define(TOPICS_PARTITIONS, Type.INT, 3, Range.between(1, 10_000), Importance.LOW,
          "Partitions of topics Sieve creates, and of the near-duplicate index's repartition topic "
              + "(dedup-index), which the scatter routes by: every instance must use the same value.",
          GROUP_TOPICS, 5, ConfigDef.Width.SHORT, "Partitions")
      .define(TOPICS_REPLICATION, Type.SHORT, (short) -1, new ReplicationFactor(), Importance.LOW,
          "Replication factor of topics Sieve creates; -1 = the broker's default.", GROUP_TOPICS, 6,
          ConfigDef.Width.SHORT, "Replication factor")

      .define(EMBED_PROVIDER, Type.STRING, "local", ValidString.in("local", "gemini"), Importance.HIGH,
          "Embedding provider: 'local' (all-MiniLM-L6-v2 on ONNX Runtime, text only, no network) "
              + "or 'gemini' (Gemini Embedding 2, multimodal; see sieve.gemini.*).",
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

      .define(GeminiSettings.MODEL, Type.STRING, GeminiSettings.DEFAULT_MODEL, new NonBlank(), Importance.MEDIUM,
          "Gemini embedding model id.", GROUP_GEMINI, 1, ConfigDef.Width.MEDIUM, "Model")
      .define(GeminiSettings.DIMENSIONS, Type.INT, GeminiSettings.DEFAULT_DIMENSIONS,
          Range.between(GeminiSettings.MIN_DIMENSIONS, GeminiSettings.MAX_DIMENSIONS), Importance.MEDIUM,
          "Output dimensionality (Matryoshka; 768, 1536 and 3072 are recommended). Part of the model space.",
          GROUP_GEMINI, 2, ConfigDef.Width.SHORT, "Dimensions")
      .define(GeminiSettings.API_KEY, Type.PASSWORD, null, Importance.HIGH,
          "Gemini API key; when unset, the environment variable GEMINI_API_KEY, else GOOGLE_API_KEY. "
              + "Not needed with Vertex AI.", GROUP_GEMINI, 3, ConfigDef.Width.MEDIUM, "API key")
      .define(GeminiSettings.VERTEX_PROJECT, Type.STRING, null, Importance.MEDIUM,
          "Google Cloud project: when set, Vertex AI is used with Application Default Credentials "
              + "instead of an API key.", GROUP_GEMINI, 4, ConfigDef.Width.MEDIUM, "Vertex project")
      .define(GeminiSettings.VERTEX_LOCATION, Type.STRING, GeminiSettings.DEFAULT_VERTEX_LOCATION, new NonBlank(),
          Importance.LOW, "Vertex AI location.", GROUP_GEMINI, 5, ConfigDef.Width.SHORT, "Vertex location")
      .define(GeminiSettings.BASE_URL, Type.STRING, null, Importance.LOW,
          "Base URL of the API instead of Google's (e.g. the emulator of the benchmark).",
          GROUP_GEMINI, 6, ConfigDef.Width.LONG, "Base URL")
      .define(GeminiSettings.INSTRUCTION, Type.STRING, GeminiSettings.DEFAULT_INSTRUCTION, new NonBlank(),
          Importance.MEDIUM, "Task instruction folded into the text (the model ignores taskType): {content} "
              + "is replaced by the content's text, {title} (optional) by its title. Used for events and "
              + "label examples alike; part of the model space.", GROUP_GEMINI, 7, ConfigDef.Width.LONG, "Instruction")
      .define(GeminiSettings.REQUEST_TIMEOUT_MS, Type.INT, GeminiSettings.DEFAULT_REQUEST_TIMEOUT_MS,
          Range.between(1, Integer.MAX_VALUE), Importance.LOW, "Time limit of one request.", GROUP_GEMINI, 8,
          ConfigDef.Width.SHORT, "Request timeout")
      .define(GeminiSettings.MAX_BATCH_SIZE, Type.INT, GeminiSettings.DEFAULT_MAX_BATCH_SIZE,
          Range.between(1, GeminiSettings.MAX_BATCH_LIMIT), Importance.LOW,
          "Most contents embedded by one call.", GROUP_GEMINI, 9, ConfigDef.Width.SHORT, "Batch size")
      .define(GeminiSettings.MAX_CONCURRENT_REQUESTS, Type.INT, GeminiSettings.DEFAULT_MAX_CONCURRENT_REQUESTS,
          Range.between(1, 1_000), Importance.LOW, "Requests one call sends at once (contents with media "
              + "are one request each).", GROUP_GEMINI, 10, ConfigDef.Width.SHORT, "Concurrent requests")
      .define(GeminiSettings.REQUESTS_PER_MINUTE, Type.INT, GeminiSettings.DEFAULT_REQUESTS_PER_MINUTE,
          Range.atLeast(0), Importance.MEDIUM, "Client-side limit of requests started per minute (0 = none); "
              + "set it to the project's quota.", GROUP_GEMINI, 11, ConfigDef.Width.SHORT, "Requests/min")
      .define(GeminiSettings.TOKENS_PER_MINUTE, Type.INT, GeminiSettings.DEFAULT_TOKENS_PER_MINUTE,
          Range.atLeast(0), Importance.MEDIUM, "Client-side limit of estimated tokens per minute (0 = none); "
              + "text counts UTF-8 bytes / 3, each media part 258.", GROUP_GEMINI, 12, ConfigDef.Width.SHORT, "Tokens/min")
      .define(GeminiSettings.RETRY_ATTEMPTS, Type.INT, GeminiSettings.DEFAULT_RETRY_ATTEMPTS,
          Range.between(1, 100), Importance.LOW, "Attempts per request (the first included) on 408, 429, 5xx, "
              + "time-outs and malformed answers.", GROUP_GEMINI, 13, ConfigDef.Width.SHORT, "Attempts")
      .define(GeminiSettings.RETRY_INITIAL_BACKOFF_MS, Type.INT, GeminiSettings.DEFAULT_RETRY_INITIAL_BACKOFF_MS,
          Range.between(1, Integer.MAX_VALUE), Importance.LOW, "First back-off; doubles each retry, with jitter.",
          GROUP_GEMINI, 14, ConfigDef.Width.SHORT, "Initial back-off")
      .define(GeminiSettings.RETRY_MAX_BACKOFF_MS, Type.INT, GeminiSettings.DEFAULT_RETRY_MAX_BACKOFF_MS,
          Range.between(1, Integer.MAX_VALUE), Importance.LOW, "Longest back-off; a server asking to wait longer "
              + "makes the call fail at once as unavailable.", GROUP_GEMINI, 15, ConfigDef.Width.SHORT, "Max back-off")

      .define(FetchPolicy.ALLOWED_HOSTS, Type.LIST, "", Importance.MEDIUM,
          "Hosts whose http(s) URIs Sieve fetches itself (exact, or *.example.com); empty = none.",
          GROUP_FETCH, 1, ConfigDef.Width.LONG, "Allowed hosts")
      .define(FetchPolicy.MAX_BYTES, Type.INT, FetchPolicy.DEFAULT_MAX_BYTES, Range.between(1, Integer.MAX_VALUE),
          Importance.LOW, "Largest body fetched; larger goes to the DLQ as uri-too-large.", GROUP_FETCH, 2,
          ConfigDef.Width.SHORT, "Max bytes")
      .define(FetchPolicy.TIMEOUT_MS, Type.INT, FetchPolicy.DEFAULT_TIMEOUT_MS, Range.between(1, Integer.MAX_VALUE),
          Importance.LOW, "Time limit of one fetch, redirects and body included.", GROUP_FETCH, 3,
          ConfigDef.Width.SHORT, "Timeout")
      .define(FetchPolicy.ALLOW_PRIVATE_ADDRESSES, Type.BOOLEAN, false, Importance.LOW,
          "Also fetch from loopback, link-local, private and other non-public addresses (off: SSRF guard).",
          GROUP_FETCH, 4, ConfigDef.Width.SHORT, "Private addresses")
      .define(FetchPolicy.MAX_REDIRECTS, Type.INT, FetchPolicy.DEFAULT_MAX_REDIRECTS, Range.between(0, 20),
          Importance.LOW, "Redirects followed; each target is checked like the first URI.", GROUP_FETCH, 5,
          ConfigDef.Width.SHORT, "Redirects")
      .define(EMBED_BATCH_SIZE, Type.INT, STAGE.batchSize(), Range.between(1, 10_000), Importance.MEDIUM,
          "Most records in one embedding call (the provider's own maximum also applies).",
          GROUP_STAGE, 1, ConfigDef.Width.SHORT, "Batch size")
      .define(EMBED_BATCH_LINGER_MS, Type.LONG, STAGE.linger().toMillis(), Range.between(0, 60_000), Importance.MEDIUM,
          "Longest a record waits for its batch to fill before the batch is sent anyway, while a worker is free or the task has no other batch out; while batches wait for a worker, a batch keeps filling up to the batch size.",
          GROUP_STAGE, 2, ConfigDef.Width.SHORT, "Batch linger")
      .define(EMBED_MAX_IN_FLIGHT, Type.INT, STAGE.maxInFlight(), Range.between(1, 1_024), Importance.MEDIUM,
          "Batches being embedded at once per instance, over all its tasks (worker threads).",
          GROUP_STAGE, 3, ConfigDef.Width.SHORT, "In-flight batches")
      .define(EMBED_MAX_PENDING, Type.INT, STAGE.maxPending(), Range.between(1, 1_000_000), Importance.MEDIUM,
          "Records a task holds unanswered (in its changelogged pending store) before it stops "
              + "taking input and waits for results: backpressure when the provider is slow or down.",
          GROUP_STAGE, 4, ConfigDef.Width.SHORT, "Pending records")
      .define(EMBED_MAX_BLOCK_MS, Type.LONG, STAGE.maxBlock().toMillis(), Range.between(0, 60_000), Importance.LOW,
          "Longest one record waits for room when a task is full; then it is taken anyway (into "
              + "the pending store), so the stream thread commits in time: at most half of "
              + "transaction.timeout.ms and of max.poll.interval.ms. While the provider is down a full "
              + "task thus takes one record per this interval.",
          GROUP_STAGE, 5, ConfigDef.Width.SHORT, "Max block")
      .define(EMBED_CACHE_ENTRIES, Type.INT, STAGE.cacheEntries(), Range.between(0, 100_000_000), Importance.LOW,
          "Vectors each task keeps by exact content hash (changelogged), so repeated content is "
              + "not embedded again; the oldest is evicted first; 0 turns the cache off.",
          GROUP_STAGE, 6, ConfigDef.Width.SHORT, "Cache entries")
      .define(EMBED_INLINE_MAX_BYTES, Type.INT, STAGE.inlineMaxBytes(), Range.between(0, Integer.MAX_VALUE), Importance.LOW,
          "Input values up to this size are copied into the pending store; larger ones are stored "
              + "as topic/partition/offset and re-read from the input topic after a restore.",
          GROUP_STAGE, 7, ConfigDef.Width.SHORT, "Inline bytes")
      .define(EMBED_RETRY_BACKOFF_MS, Type.LONG, STAGE.retryBackoff().toMillis(), Range.between(1, 600_000), Importance.LOW,
          "First wait before calling an unavailable provider again; doubles per attempt, with "
              + "jitter, never shorter than the provider's Retry-After.",
          GROUP_STAGE, 8, ConfigDef.Width.SHORT, "Retry backoff")
      .define(EMBED_RETRY_BACKOFF_MAX_MS, Type.LONG, STAGE.retryBackoffMax().toMillis(), Range.between(1, 3_600_000), Importance.LOW,
          "Longest wait between calls to an unavailable provider (retries never give up).",
          GROUP_STAGE, 9, ConfigDef.Width.SHORT, "Max retry backoff")

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
      .define(EVENT_MAX_BYTES, Type.INT, 1_000_000, Range.between(1, Integer.MAX_VALUE), Importance.MEDIUM,
          "Largest input record (value bytes) decoded; a larger one goes to the DLQ as "
              + "record-too-large with its key and headers but without its value, which would not fit "
              + "the DLQ topic. Raise it only together with max.message.bytes of the input and DLQ topics "
              + "and producer.max.request.size.", GROUP_EVENTS, 4, ConfigDef.Width.SHORT, "Record bytes")

      .define(LABELS_CHECK_INTERVAL_MS, Type.LONG, 30_000L, Range.between(100L, 86_400_000L), Importance.LOW,
          "How often the label compiler checks that every label it owns is compiled for the "
              + "current model space and definition, and recompiles those that are not (after a "
              + "model change, or when compiled centroids went missing).", GROUP_LABELS, 1,
          ConfigDef.Width.SHORT, "Compile check interval")
      .define(DEDUP_THRESHOLD, Type.DOUBLE, dev.sieve.dedup.DedupSettings.DEFAULTS.threshold(),
          new UnitInterval(), Importance.MEDIUM,
          "Cosine at or above which two events of one scope and model space are near duplicates "
              + "(default measured for the local model; see README: de-duplication); "
              + "sieve.dedup.thresholds overrides it for particular models.",
          GROUP_DEDUP, 1, ConfigDef.Width.SHORT, "Threshold")
      .define(DEDUP_THRESHOLDS, Type.LIST, "", new SpaceThresholdList(), Importance.MEDIUM,
          "Thresholds of particular models, overriding sieve.dedup.threshold for their spaces: "
              + "entries provider/model=threshold, e.g. "
              + "local/all-MiniLM-L6-v2-q=0.85,gemini/gemini-embedding-2=0.9.",
          GROUP_DEDUP, 2, ConfigDef.Width.LONG, "Thresholds per model")
      .define(DEDUP_HORIZON_MS, Type.LONG, dev.sieve.dedup.DedupSettings.DEFAULTS.horizonMillis(),
          Range.atLeast(1), Importance.MEDIUM,
          "Events further apart than this (occurredAt) are never duplicates; index entries are "
              + "purged this long (stream time) after they arrived, and events that occurred "
              + "longer ago than this before their record timestamp go to the DLQ.",
          GROUP_DEDUP, 3, ConfigDef.Width.SHORT, "Horizon")
      .define(DEDUP_HASH_BITS, Type.INT, dev.sieve.dedup.DedupSettings.DEFAULTS.hashBits(), Range.between(1, 24),
          Importance.LOW, "Random hyperplanes of the routing SimHash: each scope and model space "
              + "is spread over 2^bits cells. Fewer bits catch more near duplicates, more bits "
              + "spread the work; changing it on a running application re-routes every event.",
          GROUP_DEDUP, 4, ConfigDef.Width.SHORT, "Hash bits")
      .define(DEDUP_HASH_SEED, Type.LONG, dev.sieve.dedup.DedupSettings.DEFAULTS.hashSeed(), Importance.LOW,
          "Seed of the routing hyperplanes; every instance must use the same, and changing it "
              + "re-routes every event.", GROUP_DEDUP, 5, ConfigDef.Width.SHORT, "Hash seed")
      .define(DEDUP_FLOOD_SIMILARITY, Type.DOUBLE, dev.sieve.dedup.DedupSettings.DEFAULTS.floodSimilarity(),
          new UnitInterval(), Importance.LOW,
          "An event at least this similar to one stored in the same cells is not stored again "
              + "(it adds nothing): keeps a spam wave from growing the index.",
          GROUP_DEDUP, 6, ConfigDef.Width.SHORT, "Flood similarity")
      .define(DEDUP_LEXICAL_ENABLED, Type.BOOLEAN, dev.sieve.dedup.LexicalRule.DEFAULTS.enabled(), Importance.MEDIUM,
          "Compare two text-only contents also by the Jaccard similarity of their word shingles "
              + "(MinHash; see README: de-duplication). False: cosine only, for every pair.",
          GROUP_DEDUP, 7, ConfigDef.Width.SHORT, "Lexical signal")
      .define(DEDUP_LEXICAL_JACCARD, Type.DOUBLE, dev.sieve.dedup.LexicalRule.DEFAULTS.jaccard(),
          new UnitInterval(), Importance.MEDIUM,
          "Estimated Jaccard at or above which two texts are near duplicates whatever their cosine "
              + "(edited copies); default measured, see README: de-duplication.",
          GROUP_DEDUP, 8, ConfigDef.Width.SHORT, "Jaccard")
      .define(DEDUP_LEXICAL_MIN_JACCARD, Type.DOUBLE, dev.sieve.dedup.LexicalRule.DEFAULTS.minJaccard(),
          Range.between(0.0, 1.0), Importance.MEDIUM,
          "Estimated Jaccard two texts need besides the cosine threshold to be near duplicates "
              + "(tells another message on the same topic from the same message); at most "
              + "sieve.dedup.lexical.jaccard; 0 lets cosine alone decide above that.",
          GROUP_DEDUP, 9, ConfigDef.Width.SHORT, "Minimum Jaccard")

      .define(HttpSettings.HOST, Type.STRING, HttpSettings.DEFAULT_HOST, new NonBlank(), Importance.MEDIUM,
          "Address the HTTP server (health, metrics, queries) binds; 0.0.0.0 in a container.",
          GROUP_HTTP, 1, ConfigDef.Width.MEDIUM, "HTTP host")
      .define(HttpSettings.PORT, Type.INT, HttpSettings.DEFAULT_PORT, Range.between(HttpSettings.DISABLED, 65_535),
          Importance.MEDIUM, "Port of the HTTP server; -1 turns it off, 0 picks a free port.",
          GROUP_HTTP, 2, ConfigDef.Width.SHORT, "HTTP port")
      .define(HttpSettings.TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
          "Bearer token required by the endpoints that reveal or change data; without one they "
              + "answer 403. Health and metrics need none.",
          GROUP_HTTP, 3, ConfigDef.Width.MEDIUM, "HTTP token")

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
      StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), "true",
      // Vectors make 3 KB records (output, content-cache changelog): 16 KB batches held the embed
      // stage to 1,400 events/s in `sieve bench embed`, 256 KB batches reached 2,200.
      StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), "262144");

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
    embedStageSettings();
    requireBlockWithinDeadlines();
    requireLexicalOrder();
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

  /**
   * The embed stage's settings ({@code sieve.embed.*}).
   *
   * @throws ConfigException naming the setting when the values do not fit together
   */
  public EmbedStageSettings embedStageSettings() {
    try {
      return EmbedStageSettings.from(values());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * A full embed stage holds the stream thread up to {@code sieve.embed.max.block.ms} per record
   * while its transaction is open and its poll deadline runs: keep it well inside both.
   */
  private void requireBlockWithinDeadlines() {
    long block = getLong(EMBED_MAX_BLOCK_MS);
    // Kafka Streams sets transaction.timeout.ms to 10 s under exactly-once; the consumer default
    // of max.poll.interval.ms is 5 min.
    long transaction = kafkaLong(10_000, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
    long poll = kafkaLong(300_000, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG));
    if (block * 2 > Math.min(transaction, poll)) {
      throw new ConfigException(EMBED_MAX_BLOCK_MS, block, "must be at most half of transaction.timeout.ms ("
          + transaction + ") and of max.poll.interval.ms (" + poll + ")");
    }
  }

  private void requireLexicalOrder() {
    double min = getDouble(DEDUP_LEXICAL_MIN_JACCARD);
    double jaccard = getDouble(DEDUP_LEXICAL_JACCARD);
    if (min > jaccard) {
      throw new ConfigException(DEDUP_LEXICAL_MIN_JACCARD, min, "must be at most "
          + DEDUP_LEXICAL_JACCARD + " (" + jaccard + ")");
    }
  }

  /** The last of {@code names} that is set (the more specific prefix wins), as a number. */
  private long kafkaLong(long defaultValue, String... names) {
    long value = defaultValue;
    for (String name : names) {
      Object set = passthrough.get(name);
      if (set != null) {
        value = Long.parseLong(set.toString().strip());
      }
    }
    return value;
  }

  /** The HTTP server's settings. */
  public HttpSettings httpSettings() {
    return new HttpSettings(getString(HttpSettings.HOST), getInt(HttpSettings.PORT), getPassword(HttpSettings.TOKEN));
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
        // Not the three-argument form: that quotes the value, and a misspelt key may hold a secret.
        throw new ConfigException(key + ": unknown Sieve setting; known settings: "
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

  private static final class SpaceThresholdList implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      @SuppressWarnings("unchecked")
      List<String> entries = (List<String>) value;
      try {
        dev.sieve.dedup.SpaceThresholds.parse(1.0, entries);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "provider/model=threshold, ...";
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
