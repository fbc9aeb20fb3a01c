package dev.sieve.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.MediaEvent;
import dev.sieve.chaos.ChaosInput.Pair;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.embed.gemini.GeminiEmulator;
import dev.sieve.embed.gemini.GeminiSettings;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.serde.SchemaRegistryServer;
import dev.sieve.service.SieveService;
import dev.sieve.topology.SieveTopics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code sieve bench chaos}: the whole service under faults, checked record by record. One input
 * (planted exact and near duplicate pairs, see {@link ChaosInput}) goes twice through {@code sieve
 * run} in a child JVM, on an embedded broker, with the Gemini provider against {@link
 * GeminiEmulator} (word-bag vectors, so near copies are near): first undisturbed (the reference),
 * then while the application is killed with SIGKILL and restarted, the broker restarted, and the
 * provider throttles (HTTP 429) and then refuses connections. Each fault fires when the output has
 * reached a random share of the input (events embedded). Afterwards a read_committed consumer checks that every
 * event has exactly one record on each result topic or on the dead-letter topic, and that the
 * duplicate flags name the same pairs as the reference run, each once.
 */
public final class ChaosBenchmark {

  /**
   * @param events input events
   * @param pairShare share of events in planted duplicate pairs
   * @param kills SIGKILLs of the application
   * @param brokerRestarts restarts of the broker
   * @param throttle how long the provider answers 429 (zero: not at all)
   * @param unreachable how long the provider refuses connections (zero: not at all)
   * @param partitions partitions of every topic
   * @param dimensions vector size asked of the provider
   * @param timeout longest a run may take before what is missing counts as lost
   * @param heap the application's -Xmx
   * @param settings further settings of the application
   * @param keepWorkDir keep the broker's data and the application's logs and state even after a pass
   */
  public record Options(int events, double pairShare, long seed, int kills, int brokerRestarts, Duration throttle,
      Duration unreachable, int partitions, int dimensions, Duration timeout, String heap,
      Map<String, String> settings, boolean keepWorkDir) {}

  private enum FaultKind {
    KILL("SIGKILL app"), BROKER_RESTART("restart broker"), THROTTLE("provider 429s"),
    UNREACHABLE("provider unreachable");

    final String label;

    FaultKind(String label) {
      this.label = label;
    }
  }

  /** One fault of the run: when it fired, how long it lasted, how long until output moved again. */
  private static final class Fault {
    final FaultKind kind;
    final double at;
    double firedAtSeconds;
    double outputShare;
    double seconds;
    long endNanos;
    double recoverySeconds = Double.NaN;

    Fault(FaultKind kind, double at) {
      this.kind = kind;
      this.at = at;
    }
  }

  private record RunResult(OutputAudit.Report report, double seconds, int starts, int unexpectedExits,
      List<Fault> faults) {}

  private static final String API_KEY_ENV = "GEMINI_API_KEY";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Options options;
  private final PrintStream out;
  private final Random random;
  private EmbeddedKafkaBroker broker;

  public ChaosBenchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.random = new Random(options.seed());
  }

  /**
   * Runs the reference and the chaos run, prints the table and one JSON line, and returns its
   * figures; {@code passed} among them is true if nothing was lost, doubled or mismatched.
   */
  public Map<String, Object> run() throws Exception {
    Path workDir = Files.createTempDirectory("sieve-chaos-");
    String apiKey = UUID.randomUUID().toString();
    ChaosInput input = ChaosInput.generate(options.events(), options.pairShare(), options.seed(), Instant.now());
    Map<String, Object> figures = Map.of("passed", false);
    broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"));
    try (SchemaRegistryServer registry = new SchemaRegistryServer("chaos-" + UUID.randomUUID());
        GeminiEmulator emulator = new GeminiEmulator(apiKey).vectors(GeminiEmulator.VectorKind.WORD_BAG)) {
      out.printf("sieve bench chaos: %,d events (%,d planted pairs), %d partitions, %d dims, seed %d; work dir %s%n",
          options.events(), input.plantedPairs().size(), options.partitions(), options.dimensions(), options.seed(),
          workDir);
      RunResult reference = run("reference", input, workDir, registry, emulator, apiKey, List.of());
      out.printf("reference run: %.1f s, %,d duplicate pairs flagged%n", reference.seconds(), reference.report().pairs().size());
      RunResult chaos = run("chaos", input, workDir, registry, emulator, apiKey, schedule());
      figures = print(input, reference, chaos);
    } finally {
      broker.close();
      if (Boolean.TRUE.equals(figures.get("passed")) && !options.keepWorkDir()) {
        deleteRecursively(workDir);
      } else {
        out.println("work dir kept (application logs in */app.log): " + workDir);
      }
    }
    return figures;
  }

  /** The faults in a random order, each at a random share of the input embedded, in [0.05, 0.85]. */
  private List<Fault> schedule() {
    List<FaultKind> kinds = new ArrayList<>();
    for (int i = 0; i < options.kills(); i++) {
      kinds.add(FaultKind.KILL);
    }
    for (int i = 0; i < options.brokerRestarts(); i++) {
      kinds.add(FaultKind.BROKER_RESTART);
    }
    if (!options.throttle().isZero()) {
      kinds.add(FaultKind.THROTTLE);
    }
    Collections.shuffle(kinds, random);
    if (!options.unreachable().isZero()) {
      // The provider is unreachable right after it stopped throttling, as the issue asks.
      int throttle = kinds.indexOf(FaultKind.THROTTLE);
      kinds.add(throttle < 0 ? random.nextInt(kinds.size() + 1) : throttle + 1, FaultKind.UNREACHABLE);
    }
    List<Double> shares = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      shares.add(0.05 + 0.8 * random.nextDouble());
    }
    Collections.sort(shares);
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      faults.add(new Fault(kinds.get(i), shares.get(i)));
    }
    return faults;
  }

  private RunResult run(String name, ChaosInput input, Path workDir, SchemaRegistryServer registry,
      GeminiEmulator emulator, String apiKey, List<Fault> faults) throws Exception {
    Path dir = Files.createDirectories(workDir.resolve(name));
    Map<String, String> settings = settings(name, dir, registry, emulator);
    SieveConfig config = new ConfigSources().defaults(settings).toConfig();
    SieveTopics topics = SieveTopics.from(config);
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(SieveService.topicSpecs(config));
    }
    produce(input, topics, config);

    Map<String, String> roles = Map.of(topics.embeddings().name(), "embeddings", topics.categories().name(),
        "categories", topics.moderation().name(), "moderation", topics.duplicates().name(), "duplicates",
        topics.deadLetters().name(), ResultReader.DEAD_LETTERS);
    Set<String> ids = new HashSet<>();
    input.events().forEach(event -> ids.add(event.getId()));
    SieveProcess app = new SieveProcess(settings, Map.of(API_KEY_ENV, apiKey), options.heap(), dir.resolve("app.log"));
    long start = System.nanoTime();
    long deadline = start + options.timeout().toNanos();
    int unexpectedExits = 0;
    try (ResultReader reader = new ResultReader(broker.clientConfig(), roles, ids)) {
      reader.start();
      app.start();
      int next = 0;
      Fault recovering = null;
      while (!reader.complete() && System.nanoTime() < deadline) {
        if (app.exitCode() != null) {
          unexpectedExits++;
          out.printf("  %s: the application exited on its own (code %d); starting it again%n", name, app.exitCode());
          app.start();
        }
        if (recovering != null && reader.lastProgressNanos() > recovering.endNanos) {
          recovering.recoverySeconds = (reader.lastProgressNanos() - recovering.endNanos) / 1e9;
          out.printf("  output moving again %.1f s after the end of: %s%n", recovering.recoverySeconds,
              recovering.kind.label);
          recovering = null;
        }
        double share = reader.embedded() / (double) input.events().size();
        if (recovering == null && next < faults.size() && share >= faults.get(next).at) {
          recovering = inject(faults.get(next++), share, start, app, emulator);
        }
        Thread.sleep(50);
      }
      if (!reader.complete()) {
        out.printf("  %s: not complete after %s; what is missing counts as lost%n", name, options.timeout());
      }
      if (next < faults.size()) {
        out.printf("  %s: the output was complete before %d of %d faults fired%n", name, faults.size() - next, faults.size());
      }
    } finally {
      app.stop(Duration.ofSeconds(60));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    var flags = topics.avro().valueSerde(DuplicateFlag.class).deserializer();
    OutputAudit.Report report = ResultReader.readAll(broker.clientConfig(), roles, ids, flags, Duration.ofMinutes(5));
    return new RunResult(report, seconds, app.starts(), unexpectedExits, faults);
  }

  private Fault inject(Fault fault, double share, long runStart, SieveProcess app, GeminiEmulator emulator)
      throws InterruptedException {
    long start = System.nanoTime();
    fault.firedAtSeconds = (start - runStart) / 1e9;
    fault.outputShare = share;
    out.printf("  %6.1f s, output %4.1f %%: %s%n", fault.firedAtSeconds, 100 * share, fault.kind.label);
    switch (fault.kind) {
      case KILL -> {
        app.kill();
        // Down for a random moment, as long as a supervisor takes to notice and restart it.
        Thread.sleep(200 + random.nextInt(2800));
        app.start();
      }
      case BROKER_RESTART -> broker = broker.restart();
      case THROTTLE -> {
        emulator.standingFault(GeminiEmulator.Fault.status(429, Duration.ofSeconds(2)));
        Thread.sleep(options.throttle().toMillis());
        emulator.standingFault(null);
      }
      case UNREACHABLE -> {
        emulator.stop();
        Thread.sleep(options.unreachable().toMillis());
        emulator.start();
      }
    }
    fault.endNanos = System.nanoTime();
    fault.seconds = (fault.endNanos - start) / 1e9;
    return fault;
  }

  private Map<String, String> settings(String name, Path dir, SchemaRegistryServer registry, GeminiEmulator emulator) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("bootstrap.servers", broker.bootstrapServers());
    settings.put("application.id", "sieve-chaos-" + name);
    settings.put("state.dir", dir.resolve("state").toString());
    settings.put(SieveConfig.REGISTRY_URL, registry.url());
    settings.put(SieveConfig.EMBED_PROVIDER, "gemini");
    settings.put(GeminiSettings.BASE_URL, emulator.baseUrl());
    settings.put(GeminiSettings.DIMENSIONS, String.valueOf(options.dimensions()));
    // The emulator has no quota; the client-side pacing (1M tokens/min by default) would make it the bottleneck.
    settings.put(GeminiSettings.REQUESTS_PER_MINUTE, "0");
    settings.put(GeminiSettings.TOKENS_PER_MINUTE, "0");
    settings.put(SieveConfig.TOPICS_CREATE, "false");
    settings.put(SieveConfig.TOPICS_PARTITIONS, String.valueOf(options.partitions()));
    for (String topic : List.of(SieveConfig.TOPIC_EVENTS, SieveConfig.TOPIC_EMBEDDINGS, SieveConfig.TOPIC_DLQ,
        SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION, SieveConfig.TOPIC_DUPLICATES,
        SieveConfig.TOPIC_LABELS, SieveConfig.TOPIC_CENTROIDS)) {
      settings.put(topic, name + "." + SieveConfig.DEFINITION.configKeys().get(topic).defaultValue);
    }
    settings.putAll(options.settings());
    return settings;
  }

  private void produce(ChaosInput input, SieveTopics topics, SieveConfig config) throws Exception {
    var serializer = topics.avro().valueSerde(MediaEvent.class).serializer();
    String topic = topics.events().name();
    Map<String, Object> producerConfig = new LinkedHashMap<>(broker.clientConfig());
    // An idempotent producer can wedge on a topic created a moment ago (KAFKA-15591); every send is
    // confirmed below, and order does not matter to the checks.
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    try (var producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (MediaEvent event : input.events()) {
        sent.add(producer.send(new ProducerRecord<>(topic, event.getId().getBytes(StandardCharsets.UTF_8),
            serializer.serialize(topic, event))));
      }
      for (Future<RecordMetadata> future : sent) {
        future.get(2, TimeUnit.MINUTES);
      }
    }
  }

  /** Prints the table and the JSON line of the figures, which it returns. */
  private Map<String, Object> print(ChaosInput input, RunResult reference, RunResult chaos) throws IOException {
    OutputAudit.Report ref = reference.report();
    OutputAudit.Report run = chaos.report();
    OutputAudit.PairComparison pairs = run.compareWith(ref);
    Set<Pair> planted = new HashSet<>(input.plantedPairs());
    long plantedFound = ref.pairs().stream().filter(planted::contains).count();

    out.println();
    out.println("Faults injected:");
    out.printf("  %-22s %9s %8s %10s %12s%n", "fault", "at (s)", "output", "lasted (s)", "recovery (s)");
    for (Fault fault : chaos.faults()) {
      out.printf("  %-22s %9.1f %7.1f%% %10.1f %12s%n", fault.kind.label, fault.firedAtSeconds,
          100 * fault.outputShare, fault.seconds,
          Double.isNaN(fault.recoverySeconds) ? "-" : String.format("%.1f", fault.recoverySeconds));
    }
    out.println();
    out.printf("  %-12s %12s %12s %8s %8s%n", "topic", "reference", "chaos", "lost", "doubled");
    for (String role : OutputAudit.RESULT_ROLES) {
      OutputAudit.TopicFigures r = ref.topics().get(role);
      OutputAudit.TopicFigures c = run.topics().get(role);
      out.printf("  %-12s %,12d %,12d %8d %8d%n", role, r.records(), c.records(), c.lost(), c.doubled());
    }
    out.printf("  %-12s %,12d %,12d %8s %8d%n", "dead letters", ref.dlqRecords(), run.dlqRecords(), "", run.dlqDoubled());
    out.println();
    out.printf("  events in: %,d; application starts: %d (%d after exiting on its own)%n",
        input.events().size(), chaos.starts(), chaos.unexpectedExits());
    out.printf("  duplicate pairs: reference %,d (%,d of %,d planted), chaos %,d; missing %d, extra %d, flagged twice %d%n",
        ref.pairs().size(), plantedFound, planted.size(), run.pairs().size(), pairs.missing(), pairs.extra(),
        pairs.flaggedTwice());
    out.printf("  reference: lost %d, doubled %d, flagged twice %d; time: reference %.1f s, chaos %.1f s (%.2fx)%n",
        ref.lost(), ref.doubled(), ref.pairsFlaggedTwice(), reference.seconds(), chaos.seconds(),
        chaos.seconds() / reference.seconds());
    boolean passed = run.lost() == 0 && run.doubled() == 0 && pairs.mismatched() == 0 && run.unknownKeys() == 0
        && ref.lost() == 0 && ref.doubled() == 0 && ref.pairsFlaggedTwice() == 0;
    out.printf("  verdict: %s (lost %d, doubled %d, mismatched flags %d)%n", passed ? "PASS" : "FAIL", run.lost(),
        run.doubled(), pairs.mismatched());

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("bench", "chaos");
    figures.put("events", input.events().size());
    figures.put("plantedPairs", planted.size());
    figures.put("partitions", options.partitions());
    figures.put("dimensions", options.dimensions());
    figures.put("seed", options.seed());
    List<Map<String, Object>> faultFigures = new ArrayList<>();
    for (Fault fault : chaos.faults()) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("fault", fault.kind.name());
      f.put("atSeconds", round(fault.firedAtSeconds));
      f.put("outputShare", round(fault.outputShare));
      f.put("lastedSeconds", round(fault.seconds));
      f.put("recoverySeconds", Double.isNaN(fault.recoverySeconds) ? null : round(fault.recoverySeconds));
      faultFigures.add(f);
    }
    figures.put("faults", faultFigures);
    figures.put("applicationStarts", chaos.starts());
    figures.put("unexpectedExits", chaos.unexpectedExits());
    figures.put("reference", reportFigures(ref, reference.seconds()));
    figures.put("chaos", reportFigures(run, chaos.seconds()));
    figures.put("plantedPairsFoundByReference", plantedFound);
    figures.put("pairsMissing", pairs.missing());
    figures.put("pairsExtra", pairs.extra());
    figures.put("pairsFlaggedTwice", pairs.flaggedTwice());
    figures.put("lost", run.lost());
    figures.put("doubled", run.doubled());
    figures.put("mismatchedFlags", pairs.mismatched());
    figures.put("chaosToReferenceTime", round(chaos.seconds() / reference.seconds()));
    figures.put("passed", passed);
    out.println(JSON.writeValueAsString(figures));
    return figures;
  }

  private static Map<String, Object> reportFigures(OutputAudit.Report report, double seconds) {
    Map<String, Object> figures = new LinkedHashMap<>();
    report.topics().forEach((role, t) -> figures.put(role, Map.of("records", t.records(), "lost", t.lost(),
        "doubled", t.doubled())));
    figures.put("deadLetters", report.dlqRecords());
    figures.put("unknownKeys", report.unknownKeys());
    figures.put("pairs", report.pairs().size());
    figures.put("seconds", round(seconds));
    return figures;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
