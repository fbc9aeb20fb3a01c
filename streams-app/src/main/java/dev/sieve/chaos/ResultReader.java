package dev.sieve.chaos;

import dev.sieve.avro.DuplicateFlag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a run's result and dead-letter topics with {@code read_committed} into an {@link
 * OutputAudit}: in the background while the run goes on ({@link #start()}: progress and
 * completion), and once more from the beginning after it ({@link #readAll}), which is what the
 * verdict rests on.
 */
final class ResultReader implements AutoCloseable {

  static final String DEAD_LETTERS = "dlq";

  private final Map<String, Object> clientConfig;
  private final Map<String, String> roleByTopic;
  private final OutputAudit progress;
  private final int inputCount;
  private final AtomicLong lastProgressNanos = new AtomicLong();
  private final AtomicLong lastEmbeddedNanos = new AtomicLong();
  private final AtomicLong embedded = new AtomicLong();
  private volatile boolean complete;
  private volatile boolean running = true;
  private volatile RuntimeException failure;
  private Thread thread;

  /**
   * @param roleByTopic each result topic's role ({@link OutputAudit#RESULT_ROLES}) and the
   *     dead-letter topic's ({@value #DEAD_LETTERS})
   */
  ResultReader(Map<String, Object> clientConfig, Map<String, String> roleByTopic, Set<String> inputIds) {
    this.clientConfig = consumerConfig(clientConfig);
    this.roleByTopic = Map.copyOf(roleByTopic);
    this.progress = new OutputAudit(inputIds);
    this.inputCount = inputIds.size();
  }

  /** Starts following the topics from their beginning on a thread of its own. */
  void start() {
    thread = new Thread(this::follow, "chaos-result-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * When the application last made progress ({@link System#nanoTime()}, 0 before): while input is
   * left to embed, when an event was last embedded (the later topics trail the embed step and can
   * move while it stands still); after that, when any record last arrived.
   */
  long lastProgressNanos() {
    return embedded.get() < inputCount ? lastEmbeddedNanos.get() : lastProgressNanos.get();
  }

  /**
   * Input events embedded so far: the run's progress. (The later topics follow in bursts, each
   * repartition hop waiting for a commit, so they say less about where the application is.)
   */
  long embedded() {
    return embedded.get();
  }

  /** Whether every input event has reached every result topic or the dead-letter topic. */
  boolean complete() {
    if (failure != null) {
      throw failure;
    }
    return complete;
  }

  private void follow() {
    try (var consumer = new KafkaConsumer<>(clientConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(partitions(consumer, roleByTopic.keySet()));
      while (running) {
        var records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty()) {
          for (ConsumerRecord<String, byte[]> record : records) {
            String role = roleByTopic.get(record.topic());
            if (DEAD_LETTERS.equals(role)) {
              progress.deadLetter(record.key());
            } else {
              progress.result(role, record.key());
            }
          }
          long now = System.nanoTime();
          lastProgressNanos.set(now);
          long embeddedNow = progress.covered("embeddings");
          if (embeddedNow > embedded.getAndSet(embeddedNow)) {
            lastEmbeddedNanos.set(now);
          }
          complete = progress.complete();
        }
      }
    } catch (RuntimeException e) {
      if (running) {
        failure = e;
      }
    }
  }

  /**
   * Every record of the topics from the beginning, once no transaction is open on them any more
   * (the read_committed position reaches the high watermark), duplicate flags decoded.
   *
   * @throws IllegalStateException if the topics are not readable to their end within {@code timeout}
   */
  static OutputAudit.Report readAll(Map<String, Object> clientConfig, Map<String, String> roleByTopic,
      Set<String> inputIds, Deserializer<DuplicateFlag> flags, Duration timeout) throws Exception {
    OutputAudit audit = new OutputAudit(inputIds);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (var consumer = new KafkaConsumer<>(consumerConfig(clientConfig), new StringDeserializer(),
        new ByteArrayDeserializer()); Admin admin = Admin.create(clientConfig)) {
      List<TopicPartition> partitions = partitions(consumer, roleByTopic.keySet());
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = highWatermarks(admin, partitions);
      while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("result topics not readable to their end within " + timeout
              + " (a transaction still open?)");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          String role = roleByTopic.get(record.topic());
          if (DEAD_LETTERS.equals(role)) {
            audit.deadLetter(record.key());
          } else if ("duplicates".equals(role)) {
            DuplicateFlag flag = flags.deserialize(record.topic(), record.value());
            audit.flag(record.key(), flag.getIsDuplicate(), flag.getDuplicateOf());
          } else {
            audit.result(role, record.key());
          }
        }
      }
    }
    return audit.report();
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, Set<String> topics) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    return partitions;
  }

  private static Map<TopicPartition, Long> highWatermarks(Admin admin, List<TopicPartition> partitions)
      throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
        .get(1, TimeUnit.MINUTES).forEach((partition, info) -> ends.put(partition, info.offset()));
    return ends;
  }

  private static Map<String, Object> consumerConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    return config;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}
