package dev.sieve.demo;

import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.MediaEvent;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.http.HttpSettings;
import dev.sieve.labels.DefinitionHash;
import dev.sieve.labels.LabelAdmin;
import dev.sieve.labels.LabelChange;
import dev.sieve.labels.LabelEngine;
import dev.sieve.labels.LabelFile;
import dev.sieve.labels.LabelFileException;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.service.SieveService;
import dev.sieve.topology.SieveTopics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code sieve demo}: runs the real topology on sample (or the user's) events and prints what came
 * out. Without bootstrap servers it starts a single-node KRaft broker of its own and uses the
 * in-process schema registry; nothing is mocked.
 */
public final class DemoRun {

  /** The events shipped with Sieve. */
  public static final String BUNDLED_EVENTS = "/demo/events.jsonl";
  /** The labels shipped with Sieve, applied unless the user gives their own. */
  public static final String BUNDLED_LABELS = "/demo/labels.yaml";

  /**
   * @param input JSON Lines events, or null for the bundled sample
   * @param output where to write every result record as JSON Lines, or null
   * @param labels a label file applied before the events run, or null for the bundled labels
   * @param sources settings from flags, file and environment (bootstrap servers optional)
   */
  public record Options(Path input, Path output, Path labels, Duration timeout, ConfigSources sources) {}

  private static final Duration LABEL_COMPILE_TIMEOUT = Duration.ofSeconds(60);

  private final Options options;
  private final PrintStream out;
  private final PrintStream progress;

  public DemoRun(Options options, PrintStream out, PrintStream progress) {
    this.options = options;
    this.out = out;
    this.progress = progress;
  }

  /** Runs the demo; the exit code is 0 when every event produced a result. */
  public int run() throws Exception {
    long started = System.nanoTime();
    DemoInput.Parsed input = readInput();
    input.problems().forEach(p -> out.printf("input line %d skipped: %s%n", p.line(), p.message()));
    List<LabelDefinition> labels;
    try {
      labels = readLabels();
    } catch (LabelFileException e) {
      out.println("sieve demo: " + e.getMessage());
      return 2;
    }

    Path workDir = Files.createTempDirectory("sieve-demo-");
    Map<String, Object> given = options.sources().properties();
    EmbeddedKafkaBroker broker = null;
    try {
      String bootstrap = (String) given.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
      if (bootstrap == null || bootstrap.isBlank()) {
        progress.println("sieve demo: starting an embedded Kafka broker (KRaft, 127.0.0.1) ...");
        long brokerStart = System.nanoTime();
        broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"));
        bootstrap = broker.bootstrapServers();
        progress.printf("sieve demo: broker up at %s in %s%n", bootstrap, seconds(System.nanoTime() - brokerStart));
      }
      SieveConfig config = new ConfigSources()
          .defaults(defaults(bootstrap, workDir))
          .flags(given)
          .flags(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))
          .toConfig();
      return runPipeline(config, input, labels, started);
    } finally {
      if (broker != null) {
        broker.close();
      }
      deleteRecursively(workDir);
    }
  }

  private int runPipeline(SieveConfig config, DemoInput.Parsed input, List<LabelDefinition> labels, long started)
      throws Exception {
    progress.println("sieve demo: loading the local embedding model ...");
    SieveTopics topics = SieveTopics.from(config);
    try (SieveService service = new SieveService(config)) {
      service.start();
      if (!service.awaitRunning(Duration.ofSeconds(60))) {
        out.println("sieve demo: the topology did not reach RUNNING (state " + service.state() + ")");
        return 1;
      }
      applyLabels(config, service.labels(), labels);
      List<DemoRecord> records = input.records();
      try (ResultCollector collector = new ResultCollector(config.bootstrapServers(), topics)) {
        long produced = produce(config, topics, records);
        progress.printf("sieve demo: %d events sent to %s, waiting for results ...%n", records.size(),
            topics.events().name());
        List<String> ids = records.stream().map(DemoRecord::id).toList();
        boolean complete = collector.awaitResults(ids, options.timeout(),
            n -> progress.printf("sieve demo: %d/%d events complete%n", n, records.size()));
        List<DemoResult> results = collector.results();
        new DemoReport(out, topics).print(records, results, new DemoReport.Timing(
            started, produced, System.nanoTime(), service.embedTotals()));
        if (options.output() != null) {
          writeOutput(results);
          out.println("Results written to " + options.output());
        }
        if (!complete) {
          out.printf("sieve demo: not every event's results arrived within %s%n", options.timeout());
          return 1;
        }
        return 0;
      }
    }
  }

  /** Sends every record and returns the time the first one was sent. */
  private long produce(SieveConfig config, SieveTopics topics, List<DemoRecord> records) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    Serializer<MediaEvent> serializer = topics.avro().valueSerde(MediaEvent.class).serializer();
    String topic = topics.events().name();
    long first = System.nanoTime();
    try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (DemoRecord record : records) {
        byte[] value = record.event() != null ? serializer.serialize(topic, record.event()) : record.raw();
        // Event records carry the event's time, as event producers usually do: de-duplication
        // dead-letters events that occurred more than its horizon before their record timestamp.
        Long timestamp = record.event() != null ? record.event().getOccurredAt().toEpochMilli() : null;
        producer.send(new ProducerRecord<>(topic, null, timestamp, record.id().getBytes(StandardCharsets.UTF_8), value));
      }
      producer.flush();
    }
    return first;
  }

  private List<LabelDefinition> readLabels() throws IOException {
    if (options.labels() != null) {
      return LabelFile.read(options.labels());
    }
    try (var reader = new InputStreamReader(DemoRun.class.getResourceAsStream(BUNDLED_LABELS), StandardCharsets.UTF_8)) {
      return LabelFile.read(reader, Path.of("."), "bundled " + BUNDLED_LABELS);
    }
  }

  /** Writes the labels and waits until this instance has compiled (or refused) each of them. */
  private void applyLabels(SieveConfig config, LabelEngine engine, List<LabelDefinition> labels)
      throws InterruptedException {
    LabelAdmin admin = new LabelAdmin(config, Clock.systemUTC());
    List<LabelChange> changes = LabelChange.plan(labels, admin.definitions());
    admin.apply(changes, "sieve-demo");
    progress.printf("sieve demo: %d label(s) applied to %s, compiling ...%n", labels.size(), admin.topics().labels().name());
    var space = engine.compiler().provider().space();
    long deadline = System.nanoTime() + LABEL_COMPILE_TIMEOUT.toNanos();
    List<LabelDefinition> waiting = new ArrayList<>(labels);
    while (!waiting.isEmpty() && System.nanoTime() < deadline) {
      waiting.removeIf(label -> {
        String hash = DefinitionHash.of(label);
        boolean compiled = engine.catalog().centroids(label.getId())
            .filter(c -> c.getDefinitionHash().equals(hash) && c.getSpace().equals(space)).isPresent();
        var refused = engine.catalog().rejection(label.getId(), hash);
        refused.ifPresent(why -> out.println("sieve demo: label not compiled: " + why));
        return compiled || refused.isPresent();
      });
      Thread.sleep(50);
    }
    waiting.forEach(label -> out.printf("sieve demo: label '%s' was not compiled within %s%n", label.getId(),
        LABEL_COMPILE_TIMEOUT));
  }

  private DemoInput.Parsed readInput() throws IOException {
    Instant now = Instant.now();
    if (options.input() == null) {
      var stream = DemoRun.class.getResourceAsStream(BUNDLED_EVENTS);
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        return new DemoInput(Path.of("."), now).read(reader);
      }
    }
    Path base = options.input().toAbsolutePath().getParent();
    try (BufferedReader reader = Files.newBufferedReader(options.input(), StandardCharsets.UTF_8)) {
      return new DemoInput(base, now).read(reader);
    }
  }

  private void writeOutput(List<DemoResult> results) throws IOException {
    var writer = new com.fasterxml.jackson.databind.ObjectMapper().writer();
    try (var file = Files.newBufferedWriter(options.output(), StandardCharsets.UTF_8)) {
      for (DemoResult result : results) {
        file.write(writer.writeValueAsString(result.toJson()));
        file.newLine();
      }
    }
  }

  private static Map<String, Object> defaults(String bootstrap, Path workDir) {
    Map<String, Object> defaults = new HashMap<>();
    defaults.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    defaults.put(SieveConfig.REGISTRY_URL, SieveConfig.IN_PROCESS_REGISTRY);
    defaults.put(SieveConfig.TOPICS_CREATE, true);
    // One input partition keeps the report easy to follow: events are processed in file order, so
    // of two duplicates the earlier line is always the original (across partitions either may be).
    defaults.put(SieveConfig.TOPICS_PARTITIONS, 1);
    // A fresh application per run: the demo always starts from an empty state.
    defaults.put(StreamsConfig.APPLICATION_ID_CONFIG, "sieve-demo-" + UUID.randomUUID().toString().substring(0, 8));
    defaults.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state").toString());
    // The demo ends with its report, so a server would only outlive what it reports on; -D
    // sieve.http.port=... turns it on to watch a long input.
    defaults.put(HttpSettings.PORT, HttpSettings.DISABLED);
    return defaults;
  }

  static String seconds(long nanos) {
    return String.format("%.1f s", nanos / 1e9);
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
