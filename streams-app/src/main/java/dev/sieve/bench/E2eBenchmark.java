package dev.sieve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.DuplicateKind;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.config.SieveConfig;
import dev.sieve.dedup.DedupSettings;
import dev.sieve.dedup.IndexSeed;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.local.LocalEmbeddingProvider;
import dev.sieve.embed.local.LocalModelSettings;
import dev.sieve.labels.LabelCompiler;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.service.SieveService;
import dev.sieve.topology.SieveTopics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code sieve bench e2e}: the whole service on an embedded broker, against the ceiling of any
 * Kafka Streams application here and against the model alone, in one run:
 *
 * <ol>
 *   <li><b>passthrough</b>: events topic → output topic, {@code exactly_once_v2}, nothing else;
 *   <li><b>precomputed</b>: the full Sieve topology ({@link SieveService}) with a provider whose
 *       vectors cost nothing ({@link PrecomputedVectors}): what the pipeline costs without a model;
 *   <li><b>local</b>: the full topology with the local model;
 *   <li><b>model alone</b>: the local model on the same texts, no Kafka.
 * </ol>
 *
 * Both full runs start with {@code labels} compiled labels (centroids written to the centroids
 * topic before the start) and an index pre-filled with {@code indexItems} items ({@link
 * IndexSeed}). Then scaling: 1 vs 2 instances, and per-event cost against index size and label
 * count (with the precomputed provider). Prints tables, optionally writes the markdown section and
 * SVG charts of {@code docs/benchmarks.md}, and ends with one line of JSON holding every figure.
 */
public final class E2eBenchmark {

  /**
   * @param events events of each precomputed run's throughput phase
   * @param passthroughEvents events of the passthrough run
   * @param localEvents events of the local-model run and of the model alone
   * @param latencyEvents events of each latency phase (sent at half the measured rate)
   * @param indexSizes pre-filled index sizes of the sweep; the largest is used for runs 2 and 3
   * @param labelCounts label counts of the sweep (at the smallest index)
   * @param labels labels of runs 2 and 3 and of the index sweep
   * @param instances instances compared in the scaling run (1 is always run)
   * @param settings further Sieve or Kafka Streams settings for every run
   */
  public record Options(int events, int passthroughEvents, int localEvents, int latencyEvents, int partitions,
      List<Integer> indexSizes, List<Integer> labelCounts, int labels, int instances, Map<String, String> settings) {

    int indexItems() {
      return indexSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    int smallestIndex() {
      return indexSizes.stream().mapToInt(Integer::intValue).min().orElse(0);
    }
  }

  static final int DIMENSIONS = 384;
  private static final long INDEX_SEED = 42;
  /** Every n-th event of a precomputed run is a near copy of a pre-filled item. */
  private static final int SEEDED_COPY_EVERY = 100;

  private final Options options;
  private final PrintStream out;
  private final int cores = Runtime.getRuntime().availableProcessors();
  private final Map<String, PipelineRun.Result> precomputedRuns = new HashMap<>();
  private final Map<String, int[]> seededCopies = new HashMap<>();

  public E2eBenchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs everything; returns the figures (also printed as the last line). */
  public Map<String, Object> run(Path docs) throws Exception {
    Map<String, Object> figures = new LinkedHashMap<>();
    Path workDir = Files.createTempDirectory("sieve-bench-e2e-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"))) {
      PipelineRun runs = new PipelineRun(broker, workDir, out);
      figures.put("bench", "e2e");
      figures.put("cores", cores);
      figures.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
      figures.put("java", System.getProperty("java.version"));
      figures.put("partitions", options.partitions());
      figures.put("labels", options.labels());
      figures.put("indexItems", options.indexItems());
      figures.put("dimensions", DIMENSIONS);

      out.printf("Sieve end to end, %d cores, exactly_once_v2, %d partitions, %d labels, index of %,d items%n",
          cores, options.partitions(), options.labels(), options.indexItems());
      // One untimed run of the whole service first: the JIT state a run finds should not depend on
      // its place in the sequence (the sweeps' later runs would otherwise look cheaper).
      print(runs.run("jvm-warm-up", full(() -> new PrecomputedVectors(DIMENSIONS, INDEX_SEED), options.labels(),
          options.smallestIndex(), null), options.partitions(), 1, options.events(), 20, options.settings()));
      var passthrough = runs.run("passthrough", passthrough(), options.partitions(), 1,
          options.passthroughEvents(), options.latencyEvents(), options.settings());
      print(passthrough);
      var precomputed = precomputed(runs, options.indexItems(), options.labels(), 1);
      var local = runs.run("local", full(() -> new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS),
          options.labels(), options.indexItems(), null), options.partitions(), 1, options.localEvents(),
          Math.min(options.latencyEvents(), options.localEvents()), localSettings());
      print(local);
      EmbedBenchmark.ModelAlone alone;
      try (var model = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS)) {
        alone = EmbedBenchmark.modelAlone(model, options.localEvents(), cores, LOCAL_BATCH);
      }
      out.printf("%-28s %,10.1f events/s   one call of %d: p50 %.1f ms, p99 %.1f ms   CPU %.2f ms/event%n",
          "model alone (" + cores + " threads)", alone.eventsPerSecond(), LOCAL_BATCH, alone.p50Millis(),
          alone.p99Millis(), alone.cpuMillisPerEvent());
      double pipelineRatio = precomputed.eventsPerSecond() / passthrough.eventsPerSecond();
      double modelRatio = local.eventsPerSecond() / alone.eventsPerSecond();
      out.printf("precomputed / passthrough: %.3f (goal >= 0.5); local / model alone: %.3f (goal >= 0.9)%n",
          pipelineRatio, modelRatio);
      // On a CPU-bound machine the local run cannot beat model CPU / (model CPU + pipeline CPU).
      double cpuBound = alone.cpuMillisPerEvent() / local.cpuMillisPerEvent();
      out.printf("CPU per event: passthrough %.2f ms, precomputed %.2f ms, local %.2f ms, model alone %.2f ms; "
              + "model alone / local = %.3f%n", passthrough.cpuMillisPerEvent(), precomputed.cpuMillisPerEvent(),
          local.cpuMillisPerEvent(), alone.cpuMillisPerEvent(), cpuBound);
      out.println("CPU ms per event by thread, precomputed run: " + perEvent(precomputed));
      out.println("CPU ms per event by thread, local run: " + perEvent(local));
      Map<String, Object> scenarios = new LinkedHashMap<>();
      scenarios.put("passthrough", json(passthrough));
      scenarios.put("precomputed", json(precomputed));
      scenarios.put("local", json(local));
      scenarios.put("modelAlone", Map.of("eventsPerSec", round(alone.eventsPerSecond()),
          "p50Ms", round(alone.p50Millis()), "p99Ms", round(alone.p99Millis()), "events", options.localEvents(),
          "threads", cores, "batch", LOCAL_BATCH, "stateBytes", 0, "cpuMsPerEvent", round(alone.cpuMillisPerEvent())));
      figures.put("scenarios", scenarios);
      figures.put("precomputedToPassthrough", round(pipelineRatio));
      figures.put("localToModelAlone", round(modelRatio));
      figures.put("modelCpuShareOfLocal", round(cpuBound));
      figures.put("seededCopiesFound", seededCopies.get(key(options.indexItems(), options.labels(), 1))[0]);
      figures.put("seededCopies", seededCopies.get(key(options.indexItems(), options.labels(), 1))[1]);

      out.println("Per-event cost against index size (precomputed vectors, " + options.labels() + " labels):");
      List<Map<String, Object>> indexSweep = new ArrayList<>();
      for (int size : new TreeSet<>(options.indexSizes())) {
        indexSweep.add(sweepRow("indexItems", size, precomputed(runs, size, options.labels(), 1)));
      }
      figures.put("indexSweep", indexSweep);
      out.println("Per-event cost against label count (precomputed vectors, index of " + options.smallestIndex() + "):");
      List<Map<String, Object>> labelSweep = new ArrayList<>();
      for (int count : new TreeSet<>(options.labelCounts())) {
        labelSweep.add(sweepRow("labels", count, precomputed(runs, options.smallestIndex(), count, 1)));
      }
      figures.put("labelSweep", labelSweep);
      var one = precomputed(runs, options.smallestIndex(), options.labels(), 1);
      var more = precomputed(runs, options.smallestIndex(), options.labels(), options.instances());
      out.printf("%d instance(s): %,.1f events/s; %d: %,.1f events/s; ratio %.2f (%d-partition input, one JVM)%n",
          1, one.eventsPerSecond(), options.instances(), more.eventsPerSecond(),
          more.eventsPerSecond() / one.eventsPerSecond(), options.partitions());
      figures.put("scaling", Map.of("instances", options.instances(), "oneEventsPerSec", round(one.eventsPerSecond()),
          "moreEventsPerSec", round(more.eventsPerSecond()), "ratio", round(more.eventsPerSecond() / one.eventsPerSecond())));
    } finally {
      PipelineRun.delete(workDir);
    }
    if (docs != null) {
      new BenchmarkDocs(docs).writeE2e(figures);
      out.println("wrote " + docs + " and its charts");
    }
    out.println(new ObjectMapper().writeValueAsString(figures));
    return figures;
  }

  private static final int LOCAL_BATCH = 16;

  /**
   * The local run as bench embed runs it: batches of 16, two in flight per core, so that a worker
   * that finishes a batch finds the next one handed over instead of waiting for the stream thread.
   */
  private Map<String, Object> localSettings() {
    Map<String, Object> settings = new HashMap<>(options.settings());
    settings.putIfAbsent(SieveConfig.EMBED_BATCH_SIZE, LOCAL_BATCH);
    settings.putIfAbsent(SieveConfig.EMBED_MAX_IN_FLIGHT, 2 * cores);
    return settings;
  }

  private PipelineRun.Result precomputed(PipelineRun runs, int indexItems, int labels, int instances) throws Exception {
    String key = key(indexItems, labels, instances);
    PipelineRun.Result known = precomputedRuns.get(key);
    if (known != null) {
      return known;
    }
    int[] copies = new int[2];
    seededCopies.put(key, copies);
    PipelineRun.Result result = runs.run("precomputed-" + key, full(() -> new PrecomputedVectors(DIMENSIONS, INDEX_SEED),
        labels, indexItems, copies), options.partitions(), instances, options.events(), options.latencyEvents(),
        options.settings());
    print(result);
    precomputedRuns.put(key, result);
    return result;
  }

  /**
   * The full service; with {@code copies} (found, planted) every {@value #SEEDED_COPY_EVERY}th event
   * is a near copy of a pre-filled item, and the copies flagged NEAR of a pre-filled item are counted.
   */
  private PipelineRun.Application full(Supplier<EmbeddingProvider> providers, int labels, int indexItems,
      int[] copies) {
    boolean plantCopies = copies != null && indexItems > 0;
    return new PipelineRun.Application() {
      @Override
      public PipelineRun.Instance start(SieveConfig config) {
        SieveService service = new SieveService(config, providers.get());
        service.start();
        return new PipelineRun.Instance() {
          @Override
          public boolean awaitRunning(Duration timeout) throws InterruptedException {
            return service.awaitRunning(timeout);
          }

          @Override
          public void close() {
            service.close();
          }
        };
      }

      @Override
      public List<String> outputs(SieveTopics topics) {
        return List.of(topics.embeddings().name(), topics.categories().name(), topics.moderation().name(),
            topics.duplicates().name());
      }

      @Override
      public void prepare(SieveConfig config, SieveTopics topics, int partitions) throws Exception {
        long started = System.nanoTime();
        try (EmbeddingProvider provider = providers.get()) {
          writeCentroids(config, topics, provider, labels);
          if (indexItems > 0) {
            writeIndex(config, provider, partitions, indexItems);
          }
        }
        out.printf("  prepared %d labels and %,d index items in %.1f s%n", labels, indexItems,
            (System.nanoTime() - started) / 1e9);
      }

      @Override
      public MediaEvent event(int i) {
        if (plantCopies && i % SEEDED_COPY_EVERY == SEEDED_COPY_EVERY - 1) {
          int item = (int) ((i * 7_919L) % indexItems);
          return MediaEvent.newBuilder(EmbedBenchmark.event(i))
              .setParts(List.of(MediaPart.newBuilder().setText("copy of " + IndexSeed.itemId(item)).build())).build();
        }
        return EmbedBenchmark.event(i);
      }

      @Override
      public void observe(SieveTopics topics, ConsumerRecord<String, byte[]> record) {
        if (plantCopies && record.topic().equals(topics.duplicates().name())) {
          int i = Integer.parseInt(record.key().substring(record.key().lastIndexOf('-') + 1));
          if (i % SEEDED_COPY_EVERY != SEEDED_COPY_EVERY - 1) {
            return;
          }
          copies[1]++;
          DuplicateFlag flag = topics.duplicates().valueSerde().deserializer().deserialize(record.topic(), record.value());
          if (flag.getKind() == DuplicateKind.NEAR && flag.getDuplicateOf() != null
              && flag.getDuplicateOf().toString().startsWith("seeded-")) {
            copies[0]++;
          }
        }
      }
    };
  }

  /** Compiles {@code count} labels with {@code provider} and writes their centroids, as the compiler would. */
  private static void writeCentroids(SieveConfig config, SieveTopics topics, EmbeddingProvider provider, int count)
      throws Exception {
    LabelCompiler compiler = new LabelCompiler(provider, Clock.systemUTC());
    Map<String, Object> producerConfig = clientConfig(config);
    // The topic was created a moment ago: an idempotent producer can wedge then (KAFKA-15591).
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
        topics.centroids().valueSerde().serializer())) {
      for (int i = 0; i < count; i++) {
        LabelDefinition label = label(i);
        LabelCentroids centroids = compiler.compile(label, i);
        producer.send(new ProducerRecord<>(topics.centroids().name(), label.getId(), centroids));
      }
      producer.flush();
    }
  }

  /** Label {@code i}: a category of three example sentences, every tenth a moderation label. */
  static LabelDefinition label(int i) {
    boolean moderation = i % 10 == 9;
    List<MediaPart> examples = new ArrayList<>();
    for (int e = 0; e < 3; e++) {
      String text = EmbedBenchmark.event(1_000_000 + i * 3 + e).getParts().get(0).getText().toString();
      examples.add(MediaPart.newBuilder().setText(text).build());
    }
    var builder = LabelDefinition.newBuilder().setId(String.format(Locale.ROOT, "label-%04d", i))
        .setKind(moderation ? LabelKind.MODERATION : LabelKind.CATEGORY).setExamples(examples);
    if (moderation) {
      builder.setReviewThreshold(0.6f).setBlockThreshold(0.8f);
    }
    return builder.build();
  }

  private void writeIndex(SieveConfig config, EmbeddingProvider provider, int partitions, int items) throws Exception {
    Map<String, Object> producerConfig = clientConfig(config);
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "1");
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    producerConfig.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    producerConfig.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    String applicationId = config.streamsProperties().getProperty("application.id");
    try (var producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        var admin = Admin.create(clientConfig(config))) {
      // Kafka Streams accepts existing changelogs with the right partitions and compaction.
      new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(List.of(
          new TopicSpec(IndexSeed.cellChangelog(applicationId), partitions, (short) 1,
              Map.of("cleanup.policy", "compact")),
          new TopicSpec(IndexSeed.exactChangelog(applicationId), partitions, (short) 1,
              Map.of("cleanup.policy", "compact"))));
      new IndexSeed(DedupSettings.from(config), provider.space())
          .write(producer, applicationId, partitions, items, INDEX_SEED, Instant.now().toEpochMilli());
    }
  }

  private static Map<String, Object> clientConfig(SieveConfig config) {
    Map<String, Object> client = new HashMap<>();
    client.put("bootstrap.servers", config.streamsProperties().getProperty("bootstrap.servers"));
    return client;
  }

  private PipelineRun.Application passthrough() {
    return new PipelineRun.Application() {
      @Override
      public PipelineRun.Instance start(SieveConfig config) {
        SieveTopics topics = SieveTopics.from(config);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topics.events().name(), topics.events().consumed())
            .to(topics.embeddings().name(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        KafkaStreams streams = new KafkaStreams(builder.build(), config.streamsProperties());
        streams.start();
        return new PipelineRun.Instance() {
          @Override
          public boolean awaitRunning(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING) {
              if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()
                  && streams.state() != KafkaStreams.State.CREATED) {
                return false;
              }
              Thread.sleep(20);
            }
            return true;
          }

          @Override
          public void close() {
            streams.close(Duration.ofSeconds(30));
          }
        };
      }

      @Override
      public List<String> outputs(SieveTopics topics) {
        return List.of(topics.embeddings().name());
      }
    };
  }

  private Map<String, Object> sweepRow(String axis, int value, PipelineRun.Result result) {
    double microsPerEvent = 1e6 / result.eventsPerSecond();
    out.printf("  %-12s %,10d: %,10.1f events/s, %,9.0f µs per event%n", axis, value, result.eventsPerSecond(),
        microsPerEvent);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put(axis, value);
    row.put("eventsPerSec", round(result.eventsPerSecond()));
    row.put("microsPerEvent", round(microsPerEvent));
    row.put("p50Ms", round(result.p50Millis()));
    row.put("p99Ms", round(result.p99Millis()));
    row.put("stateBytes", result.stateBytes());
    return row;
  }

  private void print(PipelineRun.Result r) {
    out.printf("%-28s %,10.1f events/s   p50 %,.0f ms, p99 %,.0f ms   peak heap %,d MB   state %,d MB   start %.1f s"
            + "   CPU %.2f ms/event   %.1f records written/event   (after %,d warm-up events)%s%n", r.name(),
        r.eventsPerSecond(), r.p50Millis(), r.p99Millis(), r.peakHeapBytes() >> 20, r.stateBytes() >> 20,
        r.startSeconds(), r.cpuMillisPerEvent(), r.offsetsPerEvent(), r.warmupEvents(), r.complete() ? "" : "   INCOMPLETE");
    out.flush();
  }

  /** A run's CPU seconds by kind of thread as milliseconds per timed event. */
  private static Map<String, String> perEvent(PipelineRun.Result run) {
    Map<String, String> perEvent = new LinkedHashMap<>();
    run.cpuSeconds().forEach((kind, seconds) ->
        perEvent.put(kind, String.format(Locale.ROOT, "%.2f", seconds * 1000 / run.events())));
    return perEvent;
  }

  private static Map<String, Object> json(PipelineRun.Result r) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("eventsPerSec", round(r.eventsPerSecond()));
    row.put("p50Ms", round(r.p50Millis()));
    row.put("p99Ms", round(r.p99Millis()));
    row.put("peakHeapBytes", r.peakHeapBytes());
    row.put("stateBytes", r.stateBytes());
    row.put("startSeconds", round(r.startSeconds()));
    row.put("warmupEvents", r.warmupEvents());
    row.put("offsetsPerEvent", round(r.offsetsPerEvent()));
    row.put("events", r.events());
    row.put("instances", r.instances());
    row.put("rejected", r.rejected());
    row.put("complete", r.complete());
    row.put("cpuMsPerEvent", round(r.cpuMillisPerEvent()));
    Map<String, Object> cpu = new LinkedHashMap<>();
    r.cpuSeconds().forEach((kind, seconds) -> cpu.put(kind, round(seconds)));
    row.put("cpuSeconds", cpu);
    return row;
  }

  private static String key(int indexItems, int labels, int instances) {
    return indexItems + "x" + labels + "x" + instances;
  }

  static double round(double value) {
    return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : -1;
  }
}
