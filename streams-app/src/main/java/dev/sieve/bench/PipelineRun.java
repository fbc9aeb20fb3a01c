package dev.sieve.bench;

import dev.sieve.avro.MediaEvent;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.http.HttpSettings;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.runtime.TopicProvisioner;
import dev.sieve.service.SieveService;
import dev.sieve.topology.SieveTopics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One timed run of an application on the bench broker, on its own topics, application id and
 * state directories, with {@code exactly_once_v2} (Sieve's default). Two phases:
 *
 * <ol>
 *   <li><b>warm-up</b>: rounds of a tenth as many events (at least 20), not timed, until the JIT
 *       compiler spends less than 5 % of the process's CPU time in a round (at most
 *       {@value #MAX_WARMUP_ROUNDS} rounds);
 *   <li><b>throughput</b>: {@code events} events are sent as fast as the producer goes once every
 *       instance is RUNNING; events/s = events / (time the last one was complete − first send);
 *   <li><b>latency</b>: {@code latencyEvents} more at half that rate (an unsaturated application);
 *       an event's latency runs from its send to the moment a read_committed consumer has seen it
 *       on every output topic (so commit intervals and transactions are included).
 * </ol>
 *
 * An event is complete when it is on every output topic, or on the dead-letter topic. Peak heap
 * is the JVM's used heap sampled every 20 ms from the start of the instances to the end (broker
 * and bench clients included: they share the JVM); state bytes are the instances' state
 * directories on disk after a clean close. CPU time of the throughput phase is counted per kind of
 * thread ({@link CpuUse}).
 */
final class PipelineRun {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
  static final int MAX_WARMUP_ROUNDS = 10;
  private static final double QUIET_JIT_SHARE = 0.05;

  /** One started application instance. */
  interface Instance extends AutoCloseable {
    boolean awaitRunning(Duration timeout) throws InterruptedException;

    @Override
    void close();
  }

  /** What is run: how an instance starts, where its results are, and what is written before it starts. */
  interface Application {
    Instance start(SieveConfig config);

    List<String> outputs(SieveTopics topics);

    /** Writes whatever the application should find when it starts (labels, index entries). */
    default void prepare(SieveConfig config, SieveTopics topics, int partitions) throws Exception {}

    /** Event {@code i} of the run. */
    default MediaEvent event(int i) {
      return EmbedBenchmark.event(i);
    }

    /** Called with every record on the output topics. */
    default void observe(SieveTopics topics, ConsumerRecord<String, byte[]> record) {}
  }

  /**
   * @param eventsPerSecond of the throughput phase
   * @param p50Millis median latency of the latency phase
   * @param startSeconds from starting the instances until all are RUNNING (state restored)
   * @param rejected events that ended on the dead-letter topic
   * @param complete whether every event was answered before the time-out
   * @param offsetsPerEvent how far the offsets of the application's topics (outputs, repartitions,
   *     changelogs; not the input) moved per event of the throughput phase: records plus
   *     transaction markers, the broker work an event causes
   */
  record Result(String name, int instances, int warmupEvents, int events, double eventsPerSecond, double p50Millis,
      double p99Millis, long peakHeapBytes, long stateBytes, double startSeconds, int rejected, boolean complete,
      Map<String, Double> cpuSeconds, double offsetsPerEvent) {

    /** CPU milliseconds of the whole JVM per event of the throughput phase. */
    double cpuMillisPerEvent() {
      return cpuSeconds.get("total") * 1000 / events;
    }
  }

  private final EmbeddedKafkaBroker broker;
  private final Path workDir;
  private final PrintStream out;

  PipelineRun(EmbeddedKafkaBroker broker, Path workDir, PrintStream out) {
    this.broker = broker;
    this.workDir = workDir;
    this.out = out;
  }

  /** Runs {@code application} with {@code instances} instances on topics of {@code partitions} partitions. */
  Result run(String name, Application application, int partitions, int instances, int events, int latencyEvents,
      Map<String, ?> settings) throws Exception {
    String id = "bench-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    List<SieveConfig> configs = new ArrayList<>();
    for (int k = 0; k < instances; k++) {
      configs.add(config(id, k, partitions, settings));
    }
    SieveConfig config = configs.get(0);
    SieveTopics topics = SieveTopics.from(config);
    try (Admin admin = Admin.create(broker.clientConfig())) {
      new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(SieveService.topicSpecs(config));
    }
    application.prepare(config, topics, partitions);

    HeapPeak heap = new HeapPeak();
    List<Instance> started = new ArrayList<>();
    long startNanos = System.nanoTime();
    double startSeconds;
    Completion completion = new Completion(application, topics);
    try {
      configs.forEach(c -> started.add(application.start(c)));
      for (Instance instance : started) {
        if (!instance.awaitRunning(RUN_TIMEOUT)) {
          throw new IllegalStateException(name + ": application did not reach RUNNING within " + RUN_TIMEOUT);
        }
      }
      startSeconds = (System.nanoTime() - startNanos) / 1e9;
      try (var producer = new EventProducer(application, topics)) {
        // Warm-up, in rounds until the JIT has (nearly) compiled the hot paths: the timed phase is
        // the steady state of a long-running service, not its first seconds of compilation.
        int round = Math.max(20, events / 10);
        int warmup = 0;
        boolean complete = true;
        for (int r = 0; r < MAX_WARMUP_ROUNDS; r++) {
          JitShare jit = new JitShare();
          producer.sendAll(warmup, round, 0);
          warmup += round;
          complete &= completion.await(warmup);
          if (jit.fraction() < QUIET_JIT_SHARE) {
            break;
          }
        }
        long offsetsBefore = offsetsWritten(id, topics);
        long first = System.nanoTime();
        CpuUse cpu = new CpuUse();
        producer.sendAll(warmup, events, 0);
        complete &= completion.await(warmup + events);
        Map<String, Double> cpuSeconds = cpu.seconds();
        double offsetsPerEvent = (offsetsWritten(id, topics) - offsetsBefore) / (double) events;
        double eventsPerSecond = events * 1e9 / (completion.lastCompleteNanos - first);
        producer.sent.clear();
        producer.sendAll(warmup + events, latencyEvents, Math.max(1, eventsPerSecond / 2));
        complete &= completion.await(warmup + events + latencyEvents);
        double[] latencies = completion.latenciesMillis(producer.sent);
        started.forEach(Instance::close);
        started.clear();
        return new Result(name, instances, warmup, events, eventsPerSecond, percentile(latencies, 0.50),
            percentile(latencies, 0.99), heap.stop(), stateBytes(id), startSeconds, completion.rejected, complete,
            cpuSeconds, offsetsPerEvent);
      }
    } finally {
      heap.stop();
      started.forEach(Instance::close);
      completion.close();
      delete(workDir.resolve(id));
    }
  }

  /** The sum of the end offsets of every topic of run {@code id} but its input. */
  private long offsetsWritten(String id, SieveTopics topics) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      List<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true))
          .names().get().stream()
          .filter(name -> name.startsWith(id + "-") && !name.equals(topics.events().name()))
          .toList();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(names).allTopicNames().get().values().forEach(topic -> topic.partitions().forEach(
          partition -> latest.put(new TopicPartition(topic.name(), partition.partition()),
              OffsetSpec.latest())));
      return admin.listOffsets(latest).all().get().values().stream()
          .mapToLong(ListOffsetsResultInfo::offset).sum();
    }
  }

  private SieveConfig config(String id, int instance, int partitions, Map<String, ?> settings) {
    Map<String, Object> props = new HashMap<>(broker.clientConfig());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
    props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve(id).resolve("instance-" + instance).toString());
    props.put(SieveConfig.REGISTRY_URL, "mem://" + id);
    props.put(SieveConfig.TOPICS_PARTITIONS, partitions);
    // Instances share the JVM; a benchmark serves no queries.
    props.put(HttpSettings.PORT, HttpSettings.DISABLED);
    for (String topic : List.of(SieveConfig.TOPIC_EVENTS, SieveConfig.TOPIC_EMBEDDINGS, SieveConfig.TOPIC_DLQ,
        SieveConfig.TOPIC_CATEGORIES, SieveConfig.TOPIC_MODERATION, SieveConfig.TOPIC_DUPLICATES,
        SieveConfig.TOPIC_LABELS, SieveConfig.TOPIC_CENTROIDS)) {
      props.put(topic, id + "-" + topic.substring("sieve.topic.".length()));
    }
    props.putAll(settings);
    return new ConfigSources().defaults(props).toConfig();
  }

  private long stateBytes(String id) throws IOException {
    if (!Files.exists(workDir.resolve(id))) {
      return 0; // a stateless application may not create its state directory at all
    }
    try (var files = Files.walk(workDir.resolve(id))) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends the run's events, keyed by id, and notes when each was sent. */
  private final class EventProducer implements AutoCloseable {
    private final Application application;
    private final String topic;
    private final org.apache.kafka.common.serialization.Serializer<MediaEvent> serializer;
    private final KafkaProducer<byte[], byte[]> producer;
    final Map<String, Long> sent = new ConcurrentHashMap<>();

    EventProducer(Application application, SieveTopics topics) {
      this.application = application;
      this.topic = topics.events().name();
      this.serializer = topics.avro().valueSerde(MediaEvent.class).serializer();
      Map<String, Object> config = new HashMap<>(broker.clientConfig());
      config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
      config.put(ProducerConfig.ACKS_CONFIG, "1");
      // The topics were created a moment ago: an idempotent producer can wedge then (KAFKA-15591).
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
      this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends events {@code from .. from+count-1}; at {@code perSecond} a second, or at once when 0. */
    void sendAll(int from, int count, double perSecond) throws InterruptedException {
      long begin = System.nanoTime();
      for (int i = 0; i < count; i++) {
        if (perSecond > 0) {
          long due = begin + (long) (i * 1e9 / perSecond);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
        MediaEvent event = application.event(from + i);
        sent.put(event.getId(), System.nanoTime());
        producer.send(new ProducerRecord<>(topic, event.getId().getBytes(StandardCharsets.UTF_8),
            serializer.serialize(topic, event)));
      }
      producer.flush();
    }

    @Override
    public void close() {
      producer.close();
    }
  }

  /** Reads every output topic and the dead-letter topic (read_committed) and tells when events are complete. */
  private final class Completion implements AutoCloseable {
    private final Application application;
    private final SieveTopics topics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Integer> topicBits = new HashMap<>();
    private final int allBits;
    private final Map<String, Integer> seen = new HashMap<>();
    private final Map<String, Long> completeAt = new HashMap<>();
    private long lastCompleteNanos;
    private int rejected;

    Completion(Application application, SieveTopics topics) {
      this.application = application;
      this.topics = topics;
      List<String> outputs = application.outputs(topics);
      for (int i = 0; i < outputs.size(); i++) {
        topicBits.put(outputs.get(i), 1 << i);
      }
      allBits = (1 << outputs.size()) - 1;
      Map<String, Object> config = new HashMap<>(broker.clientConfig());
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
      consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions = new ArrayList<>();
      List<String> read = new ArrayList<>(outputs);
      read.add(topics.deadLetters().name());
      for (String topic : read) {
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /** Polls until {@code total} events are complete or the run times out; false on time-out. */
    boolean await(int total) {
      long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
      while (completeAt.size() < total) {
        if (System.nanoTime() > deadline) {
          out.printf("  gave up after %s: %d of %d events complete%n", RUN_TIMEOUT, completeAt.size(), total);
          return false;
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(10))) {
          long now = System.nanoTime();
          if (record.topic().equals(topics.deadLetters().name())) {
            if (completeAt.putIfAbsent(record.key(), now) == null) {
              rejected++;
              lastCompleteNanos = now;
            }
            continue;
          }
          application.observe(topics, record);
          int bits = seen.merge(record.key(), topicBits.get(record.topic()), (a, b) -> a | b);
          if (bits == allBits && completeAt.putIfAbsent(record.key(), now) == null) {
            lastCompleteNanos = now;
          }
        }
      }
      return true;
    }

    /** Latencies of the events in {@code sent}, sorted. */
    double[] latenciesMillis(Map<String, Long> sent) {
      double[] latencies = new double[sent.size()];
      int n = 0;
      for (String id : sent.keySet()) {
        Long done = completeAt.get(id);
        if (done != null) {
          latencies[n++] = (done - sent.get(id)) / 1e6;
        }
      }
      double[] measured = Arrays.copyOf(latencies, n);
      Arrays.sort(measured);
      return measured;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /** The share of the process's CPU time that JIT compilation took since this object was made. */
  private static final class JitShare {

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private final long compileMillis = JIT.getTotalCompilationTime();
    private final long cpuNanos = CpuUse.processCpuNanos();

    double fraction() {
      double cpuMillis = (CpuUse.processCpuNanos() - cpuNanos) / 1e6;
      return cpuMillis <= 0 ? 0 : (JIT.getTotalCompilationTime() - compileMillis) / cpuMillis;
    }
  }

  /** The largest heap use seen, sampled every 20 ms. */
  private static final class HeapPeak {
    private final AtomicLong peak = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "bench-heap-sampler");
      thread.setDaemon(true);
      return thread;
    });

    HeapPeak() {
      var memory = ManagementFactory.getMemoryMXBean();
      sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
          0, 20, TimeUnit.MILLISECONDS);
    }

    long stop() {
      sampler.shutdownNow();
      return peak.get();
    }
  }
}
