package dev.sieve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.dedup.DedupSettings;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.MediaEvent;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.embed.EmbeddingInput;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.EventEmbedder;
import dev.sieve.embed.EventEmbedder.EmbedTotals;
import dev.sieve.embed.local.LocalEmbeddingProvider;
import dev.sieve.embed.local.LocalModelSettings;
import dev.sieve.embed.gemini.GeminiEmbeddingProvider;
import dev.sieve.embed.gemini.GeminiEmulator;
import dev.sieve.embed.gemini.GeminiSettings;
import dev.sieve.embed.resolve.FetchPolicy;
import dev.sieve.embed.stage.EmbedStage;
import dev.sieve.labels.LabelEngine;
import dev.sieve.service.SieveService;
import dev.sieve.embed.stage.EmbedStageSettings;
import dev.sieve.embed.stage.KafkaSourceReader;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.topology.SieveTopics;
import dev.sieve.topology.SieveTopology;
import dev.sieve.validate.EventLimits;
import dev.sieve.validate.EventValidator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Named;

/**
 * {@code sieve bench embed}: what the embed stage makes of a slow remote model, and what it costs
 * with the local one. Every figure comes from a real Kafka Streams application on an embedded
 * broker with {@code exactly_once_v2} (transactions, changelogs and read_committed output
 * included), timed from RUNNING until a read_committed consumer has seen every output, after
 * untimed runs that warm up the JIT.
 * TopologyTestDriver would leave out exactly the costs the stage must live with (commits,
 * changelog writes, polling) and runs punctuators only when told.
 *
 * <ol>
 *   <li>naive: one remote call per record on the stream thread (the previous embed step);
 *   <li>stage: the embed stage with the same remote model (decode, validate, embed, as the naive
 *       step); ratio to naive, and to the ceiling {@code maxInFlight × batch / latency}; then the
 *       whole topology (classification and de-duplication too) with it;
 *   <li>local: the stage with the local model vs the model alone on as many threads, alone and in
 *       the whole topology;
 *   <li>optionally an outage of the remote model in the middle of a stage run: records lost,
 *       duplicates, time to drain after recovery.
 * </ol>
 */
public final class EmbedBenchmark {

  /**
   * Where the remote model comes from: {@link #GEMINI_EMULATOR} (the default: the real Gemini
   * provider over HTTP against the local emulator) or {@link #STAND_IN} (no HTTP at all).
   */
  @FunctionalInterface
  public interface RemoteModel {
    Remote start(Duration latency, int maxBatchSize);
  }

  /** A started remote model: its provider, and a switch that makes it unavailable. */
  public interface Remote extends AutoCloseable {
    EmbeddingProvider provider();

    void outage(boolean on);

    @Override
    void close();
  }

  /**
   * The Gemini provider (SDK, HTTP, retries) against {@link GeminiEmulator} on 127.0.0.1 with a fixed
   * latency per request; an outage stops the emulator's listener (connections refused).
   */
  public static final RemoteModel GEMINI_EMULATOR = (latency, maxBatchSize) -> {
    GeminiEmulator emulator = new GeminiEmulator("bench-key").latency(latency);
    GeminiSettings defaults = GeminiSettings.forApiKey("bench-key", emulator.baseUrl());
    // No client-side quota: the benchmark measures the stage, not a rate limit.
    GeminiSettings settings = new GeminiSettings(defaults.model(), defaults.dimensions(), defaults.apiKey(), null,
        defaults.vertexLocation(), emulator.baseUrl(), defaults.instruction(), defaults.requestTimeout(),
        maxBatchSize, defaults.maxConcurrentRequests(), 0, 0, defaults.retryAttempts(),
        defaults.retryInitialBackoff(), defaults.retryMaxBackoff(), defaults.quotaWindow());
    GeminiEmbeddingProvider provider = new GeminiEmbeddingProvider(settings, FetchPolicy.NONE);
    return new Remote() {
      @Override
      public EmbeddingProvider provider() {
        return provider;
      }

      @Override
      public void outage(boolean on) {
        if (on) {
          emulator.stop();
        } else {
          emulator.start();
        }
      }

      @Override
      public void close() {
        provider.close();
        emulator.close();
      }
    };
  };

  /** In-process stand-in: a fixed latency per call, 768-dimensional vectors. */
  public static final RemoteModel STAND_IN = (latency, maxBatchSize) -> {
    LatencyStandIn standIn = new LatencyStandIn(latency, 768, maxBatchSize);
    return new Remote() {
      @Override
      public EmbeddingProvider provider() {
        return standIn;
      }

      @Override
      public void outage(boolean on) {
        standIn.outage(on);
      }

      @Override
      public void close() {
        standIn.close();
      }
    };
  };

  /**
   * @param events records of the stage run with the remote model
   * @param naiveEvents records of the naive run (it takes {@code latency} per record)
   * @param localEvents records of each local-model run (0 skips them)
   * @param outage length of the outage run (zero skips it)
   * @param settings further Sieve or Kafka Streams settings for every run
   */
  public record Options(RemoteModel remote, Duration latency, int batchSize, int maxInFlight, int partitions,
      int events, int naiveEvents, int localEvents, Duration outage, Map<String, String> settings) {}

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
  private static final int MAX_WARMUP_ROUNDS = 10;
  /** Events of each warm-up round. */
  private static final int WARMUP_EVENTS = 10_000;
  private static final double QUIET_JIT_SHARE = 0.05;

  private final Options options;
  private final PrintStream out;
  private final Map<String, Object> figures = new LinkedHashMap<>();

  public EmbedBenchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs every part on a fresh embedded broker and prints the figures, then one line of JSON. */
  public Map<String, Object> run() throws Exception {
    Path workDir = Files.createTempDirectory("sieve-bench-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"))) {
      figures.put("bench", "embed");
      figures.put("latencyMs", options.latency().toMillis());
      figures.put("batchSize", options.batchSize());
      figures.put("maxInFlight", options.maxInFlight());
      figures.put("partitions", options.partitions());
      remoteRuns(broker, workDir);
      if (options.localEvents() > 0) {
        localRuns(broker, workDir);
      }
      if (!options.outage().isZero()) {
        outageRun(broker, workDir);
      }
    } finally {
      deleteRecursively(workDir);
    }
    out.println(new ObjectMapper().writeValueAsString(figures));
    return figures;
  }

  private void remoteRuns(EmbeddedKafkaBroker broker, Path workDir) throws Exception {
    try (Remote remote = options.remote().start(options.latency(), options.batchSize())) {
      EmbeddingProvider provider = remote.provider();
      double naive = new Run(broker, workDir, "naive", options.naiveEvents(), Map.of())
          .eventsPerSecond((config, topics) -> naiveTopology(topics, provider));
      out.printf("naive (one call per record, stream thread):  %,10.1f events/s  (%d events)%n", naive, options.naiveEvents());

      warmUp(broker, workDir, provider);

      Run run = new Run(broker, workDir, "stage", options.events(), stageSettings());
      double stage = run.eventsPerSecond((config, topics) -> run.stage(config, topics, provider, false));
      double ceiling = options.maxInFlight() * (double) options.batchSize() / (options.latency().toMillis() / 1000.0);
      out.printf("embed stage (decode, validate, embed):       %,10.1f events/s  (%d events)%n", stage, options.events());
      out.printf("stage / naive:                               %,10.1f x%n", stage / naive);
      out.printf("ceiling (in-flight %d x batch %d / %d ms):    %,10.1f events/s; stage reaches %.0f %%%n",
          options.maxInFlight(), options.batchSize(), options.latency().toMillis(), ceiling, 100 * stage / ceiling);
      out.printf("content cache hit rate:                      %10.3f%n", run.cacheHitRate());
      printCpu(run);
      EmbedTotals calls = run.providerCalls();
      double callMillis = calls.calls() == 0 ? 0 : calls.nanos() / 1e6 / calls.calls();
      double busy = calls.nanos() / (double) run.elapsedNanos / run.config.embedStageSettings().maxInFlight();
      // What separates the stage from its ceiling besides CPU: a call lasts longer than the
      // latency (request, answer transfer and parsing happen in it), or workers wait for batches.
      out.printf("provider calls:                              %10d of %.1f inputs, %.1f ms each (latency %d ms); workers busy %.0f %%%n",
          calls.calls(), calls.calls() == 0 ? 0 : calls.events() / (double) calls.calls(), callMillis,
          options.latency().toMillis(), 100 * busy);
      Run whole = new Run(broker, workDir, "whole", options.events(), stageSettings());
      double wholeTopology = whole.eventsPerSecond((config, topics) -> whole.stage(config, topics, provider, true));
      out.printf("whole topology with the stage:               %,10.1f events/s; %.0f %% of the ceiling%n",
          wholeTopology, 100 * wholeTopology / ceiling);
      figures.put("naiveEventsPerSec", round(naive));
      figures.put("stageEventsPerSec", round(stage));
      figures.put("stageToNaive", round(stage / naive));
      figures.put("ceilingEventsPerSec", round(ceiling));
      figures.put("stageToCeiling", round(stage / ceiling));
      figures.put("cacheHitRate", round(run.cacheHitRate()));
      figures.put("stageCpuMsPerEvent", run.cpuMillisPerEvent());
      figures.put("stageCpuBoundEventsPerSec", round(run.cpuBoundEventsPerSecond()));
      figures.put("providerCallMs", round(callMillis));
      figures.put("workersBusy", round(busy));
      figures.put("wholeTopologyEventsPerSec", round(wholeTopology));
      figures.put("wholeTopologyToCeiling", round(wholeTopology / ceiling));
    }
  }

  /**
   * Untimed rounds of the stage alone and of the whole topology, {@value #WARMUP_EVENTS} events
   * each (fewer for a shorter timed run: a third of it), until
   * the JIT compiler takes less than {@value #QUIET_JIT_SHARE} of a round's CPU (at most {@value
   * #MAX_WARMUP_ROUNDS} rounds): it then compiles the timed runs' paths before they start rather
   * than during them.
   */
  private void warmUp(EmbeddedKafkaBroker broker, Path workDir, EmbeddingProvider provider) throws Exception {
    int events = Math.max(1, Math.min(WARMUP_EVENTS, options.events() / 3));
    double jitShare = 1;
    int round = 0;
    while (round < MAX_WARMUP_ROUNDS && jitShare >= QUIET_JIT_SHARE) {
      round++;
      double jitSeconds = 0;
      double cpuSeconds = 0;
      for (boolean whole : new boolean[] {false, true}) {
        Run warmUp = new Run(broker, workDir, "warm-up", events, stageSettings());
        warmUp.eventsPerSecond((config, topics) -> warmUp.stage(config, topics, provider, whole));
        jitSeconds += warmUp.cpuSeconds.getOrDefault("jit", 0.0);
        cpuSeconds += warmUp.cpuSeconds.getOrDefault("total", 0.0);
      }
      jitShare = cpuSeconds <= 0 ? 0 : jitSeconds / cpuSeconds;
    }
    out.printf("warm-up (untimed):                           %10d rounds of 2 x %d events; JIT %.0f %% of the last%n",
        round, events, 100 * jitShare);
    figures.put("warmupRounds", round);
  }

  private void localRuns(EmbeddedKafkaBroker broker, Path workDir) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    int batch = 16;
    try (LocalEmbeddingProvider local = new LocalEmbeddingProvider(LocalModelSettings.DEFAULTS)) {
      modelAlone(local, Math.max(batch, options.localEvents() / 4), threads, batch); // untimed: warms it up
      ModelAlone alone = modelAlone(local, options.localEvents(), threads, batch);
      double raw = alone.eventsPerSecond();
      Map<String, Object> settings = new HashMap<>(stageSettings());
      settings.put(SieveConfig.EMBED_BATCH_SIZE, batch);
      // two batches per core: a worker done with one finds the next handed over already
      settings.put(SieveConfig.EMBED_MAX_IN_FLIGHT, 2 * threads);
      Run run = new Run(broker, workDir, "local", options.localEvents(), settings);
      double stage = run.eventsPerSecond((config, topics) -> run.stage(config, topics, local, false));
      Run whole = new Run(broker, workDir, "local-whole", options.localEvents(), settings);
      double wholeTopology = whole.eventsPerSecond((config, topics) -> whole.stage(config, topics, local, true));
      out.printf("local model alone (%d threads, batch %d):     %,10.1f events/s  (%d events)%n", threads, batch, raw, options.localEvents());
      out.printf("embed stage with the local model:            %,10.1f events/s; %.2f of the model alone%n", stage, stage / raw);
      out.printf("model alone CPU per event:                   %10.3f ms%n", alone.cpuMillisPerEvent());
      printCpu(run);
      out.printf("whole topology with the local model:         %,10.1f events/s; %.2f of the model alone%n",
          wholeTopology, wholeTopology / raw);
      figures.put("localModelEventsPerSec", round(raw));
      figures.put("localStageEventsPerSec", round(stage));
      figures.put("localModelCpuMsPerEvent", round(alone.cpuMillisPerEvent()));
      figures.put("localStageCpuMsPerEvent", run.cpuMillisPerEvent());
      figures.put("localStageToModel", round(stage / raw));
      figures.put("localWholeTopologyEventsPerSec", round(wholeTopology));
      figures.put("localWholeTopologyToModel", round(wholeTopology / raw));
    }
  }

  private void outageRun(EmbeddedKafkaBroker broker, Path workDir) throws Exception {
    try (Remote remote = options.remote().start(options.latency(), options.batchSize())) {
      Run run = new Run(broker, workDir, "outage", options.events(), stageSettings());
      run.outage = remote;
      run.eventsPerSecond((config, topics) -> run.stage(config, topics, remote.provider(), true));
      long lost = options.events() - run.distinct.size();
      long duplicates = run.received - run.distinct.size();
      double drain = (run.lastOutputNanos - run.recoveredNanos) / 1e9;
      out.printf("outage of %d s after %d outputs: lost %d, duplicates %d, drained %.1f s after recovery%n",
          options.outage().toSeconds(), run.outputsBeforeOutage, lost, duplicates, drain);
      figures.put("outageSeconds", options.outage().toSeconds());
      figures.put("outageLost", lost);
      figures.put("outageDuplicates", duplicates);
      figures.put("outageDrainSeconds", round(drain));
    }
  }

  /**
   * The stage run's CPU per event by kind of thread, and the events/s the machine's cores allow at
   * that cost without the emulator's share (a remote model's CPU is not on these cores): when that
   * is below the ceiling, the stage is bound by CPU here, not by its batching or concurrency.
   */
  private void printCpu(Run run) {
    Map<String, Double> perEvent = run.cpuMillisPerEvent();
    StringBuilder split = new StringBuilder();
    perEvent.forEach((kind, millis) -> {
      if (!kind.equals("total")) {
        split.append(split.isEmpty() ? "" : ", ").append(kind).append(String.format(Locale.ROOT, " %.3f", millis));
      }
    });
    out.printf("stage CPU per event:                         %10.3f ms  (%s)%n", perEvent.get("total"), split);
    out.printf("what %d cores allow at that cost:             %,10.1f events/s (any emulator's CPU left out)%n",
        Runtime.getRuntime().availableProcessors(), run.cpuBoundEventsPerSecond());
  }

  private Map<String, Object> stageSettings() {
    return Map.of(
        SieveConfig.EMBED_BATCH_SIZE, options.batchSize(),
        SieveConfig.EMBED_MAX_IN_FLIGHT, options.maxInFlight());
  }

  /** The previous embed step: decode, then one provider call per record, on the stream thread. */
  private static Topology naiveTopology(SieveTopics topics, EmbeddingProvider provider) {
    EventEmbedder embedder = new EventEmbedder(provider);
    var decoder = topics.eventDeserializer();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(topics.events().name(), topics.events().consumed())
        .mapValues((key, value) -> embedder.embed(decoder.deserialize(topics.events().name(), value)),
            Named.as("naive-embed"))
        .selectKey((key, media) -> media.getId(), Named.as("by-id"))
        .to(topics.embeddings().name(), topics.embeddings().produced());
    return builder.build();
  }

  /** The model alone: events/s, and the median and 99th percentile of one call (a batch) in ms. */
  record ModelAlone(double eventsPerSecond, double p50Millis, double p99Millis, double cpuMillisPerEvent) {}

  /** The model alone: events 0..events-1 in batches on {@code threads} threads, no Kafka. */
  static ModelAlone modelAlone(EmbeddingProvider model, int events, int threads, int batch) throws Exception {
    List<List<EmbeddingInput>> batches = new ArrayList<>();
    List<EmbeddingInput> current = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      MediaEvent event = event(i);
      current.add(model.prepare(event.getParts(), event.getAttributes()));
      if (current.size() == batch) {
        batches.add(current);
        current = new ArrayList<>();
      }
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      CpuUse cpu = new CpuUse();
      List<Future<Double>> done = new ArrayList<>();
      batches.forEach(b -> done.add(pool.submit(() -> {
        long call = System.nanoTime();
        model.embed(b);
        return (System.nanoTime() - call) / 1e6;
      })));
      double[] calls = new double[done.size()];
      for (int i = 0; i < calls.length; i++) {
        calls[i] = done.get(i).get();
      }
      double eventsPerSecond = events * 1e9 / (System.nanoTime() - start);
      double cpuMillisPerEvent = cpu.seconds().get("total") * 1000 / events;
      java.util.Arrays.sort(calls);
      return new ModelAlone(eventsPerSecond, PipelineRun.percentile(calls, 0.5), PipelineRun.percentile(calls, 0.99),
          cpuMillisPerEvent);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Event {@code i}: a unique text of 12 to 30 words ({@link BenchText}; no cache hits). */
  static MediaEvent event(int i) {
    long seed = i * 2654435761L;
    int length = 12 + (int) Math.floorMod(seed, 19);
    String text = "Report " + i + ": " + BenchText.words(seed, length) + ".";
    return MediaEvent.newBuilder().setId("event-" + i).setOccurredAt(Instant.now()).setSource("bench")
        .setParts(List.of(dev.sieve.avro.MediaPart.newBuilder().setText(text).build()))
        .setAttributes(Map.of()).build();
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  /** One timed application run on its own topics and application id. */
  private final class Run {
    private final EmbeddedKafkaBroker broker;
    private final SieveConfig config;
    private final SieveTopics topics;
    private final int events;
    private final Set<String> distinct = new HashSet<>();
    private long received;
    private EmbedStage stage;
    private Remote outage;
    private long outputsBeforeOutage;
    private long recoveredNanos;
    private long lastOutputNanos;
    private Map<String, Double> cpuSeconds = Map.of();
    private long elapsedNanos;

    Run(EmbeddedKafkaBroker broker, Path workDir, String name, int events, Map<String, Object> settings) {
      this.broker = broker;
      this.events = events;
      String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
      Map<String, Object> props = new HashMap<>(broker.clientConfig());
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + id);
      props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state").toString());
      props.put(SieveConfig.REGISTRY_URL, "mem://bench-" + id);
      props.put(SieveConfig.TOPIC_EVENTS, "bench-" + id + "-events");
      props.put(SieveConfig.TOPIC_EMBEDDINGS, "bench-" + id + "-embeddings");
      props.put(SieveConfig.TOPIC_DLQ, "bench-" + id + "-dlq");
      props.putAll(settings);
      props.putAll(options.settings());
      this.config = new ConfigSources().defaults(props).toConfig();
      this.topics = SieveTopics.from(config);
    }

    /** The stage alone (decode, validate, embed: what the naive step does) or in the whole topology. */
    Topology stage(SieveConfig config, SieveTopics topics, EmbeddingProvider provider, boolean wholeTopology) {
      Map<String, Object> clientConfig = new HashMap<>(broker.clientConfig());
      stage = new EmbedStage(provider, config.embedStageSettings(), topics.eventDeserializer(),
          () -> new KafkaSourceReader(clientConfig));
      EventValidator validator = new EventValidator(EventLimits.from(config));
      // The whole topology as the service runs it, with no labels, so classification stays trivial.
      return wholeTopology
          ? SieveTopology.build(topics, validator, stage, LabelEngine.from(config, provider), DedupSettings.from(config))
          : SieveTopology.embedOnly(topics, validator, stage);
    }

    /** CPU milliseconds per event of the timed part, in total and by kind of thread ({@link CpuUse}). */
    Map<String, Double> cpuMillisPerEvent() {
      Map<String, Double> perEvent = new LinkedHashMap<>();
      cpuSeconds.forEach((kind, seconds) -> perEvent.put(kind, round(seconds * 1000 / events)));
      return perEvent;
    }

    /** What the cores allow at this run's CPU per event, the emulator's share left out. */
    double cpuBoundEventsPerSecond() {
      double seconds = cpuSeconds.getOrDefault("total", 0.0) - cpuSeconds.getOrDefault("emulator", 0.0);
      return seconds <= 0 ? 0 : Runtime.getRuntime().availableProcessors() * events / seconds;
    }

    EmbedTotals providerCalls() {
      return stage.totals();
    }

    double cacheHitRate() {
      return stage.cacheStatistics().hitRate();
    }

    double eventsPerSecond(BiFunction<SieveConfig, SieveTopics, Topology> topology) throws Exception {
      try (Admin admin = Admin.create(broker.clientConfig())) {
        int partitions = options.partitions();
        List<TopicSpec> specs = new ArrayList<>(SieveService.topicSpecs(config));
        specs.replaceAll(spec -> spec.name().equals(topics.events().name()) || spec.name().equals(topics.embeddings().name())
            ? TopicSpec.of(spec.name(), partitions) : spec);
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(specs);
      }
      produce();
      CountDownLatch running = new CountDownLatch(1);
      try (KafkaStreams streams = new KafkaStreams(topology.apply(config, topics), config.streamsProperties())) {
        streams.setStateListener((now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
        });
        streams.start();
        if (!running.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("bench application did not start within 60 s");
        }
        long start = System.nanoTime();
        CpuUse cpu = new CpuUse();
        long end = awaitOutputs();
        cpuSeconds = cpu.seconds();
        elapsedNanos = end - start;
        return events * 1e9 / elapsedNanos;
      } finally {
        if (stage != null) {
          stage.close();
        }
      }
    }

    private void produce() throws Exception {
      var serializer = topics.avro().valueSerde(MediaEvent.class).serializer();
      String topic = topics.events().name();
      Map<String, Object> producerConfig = new HashMap<>(broker.clientConfig());
      // An idempotent producer can wedge on a topic created a moment ago (KAFKA-15591); the input
      // needs neither idempotence nor order, only every record, which the futures below confirm.
      producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
      producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      try (var producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
          MediaEvent event = event(i);
          sent.add(producer.send(new ProducerRecord<>(topic, event.getId().getBytes(StandardCharsets.UTF_8),
              serializer.serialize(topic, event))));
        }
        for (Future<RecordMetadata> future : sent) {
          future.get(2, TimeUnit.MINUTES);
        }
      }
    }

    /** Reads the output (read_committed) until every event has one; returns when that was. */
    private long awaitOutputs() {
      Map<String, Object> consumerConfig = new HashMap<>(broker.clientConfig());
      consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
      String topic = topics.embeddings().name();
      long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos() + (outage == null ? 0 : options.outage().toNanos());
      long outageStart = 0;
      try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        while (distinct.size() < events) {
          if (System.nanoTime() > deadline) {
            out.printf("%s: gave up after %s with %d of %d events answered%n", topics.embeddings().name(),
                RUN_TIMEOUT, distinct.size(), events);
            return lastOutputNanos;
          }
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
            received++;
            distinct.add(record.key());
            lastOutputNanos = System.nanoTime();
          }
          if (outage != null) {
            long now = System.nanoTime();
            if (outageStart == 0 && distinct.size() >= events / 3) {
              outage.outage(true);
              outageStart = now;
              outputsBeforeOutage = distinct.size();
              out.printf("outage starts after %d outputs%n", outputsBeforeOutage);
            } else if (outageStart != 0 && recoveredNanos == 0 && now - outageStart >= options.outage().toNanos()) {
              outage.outage(false);
              recoveredNanos = now;
              out.printf("outage ends; %d outputs so far%n", distinct.size());
            }
          }
        }
        // Anything beyond one output per event (duplicates) arrives with the rest: read to the end.
        for (var records = consumer.poll(Duration.ofMillis(500)); !records.isEmpty(); records = consumer.poll(Duration.ofMillis(500))) {
          records.forEach(r -> received++);
        }
      }
      return lastOutputNanos;
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
