package dev.sieve.dedup;

import dev.sieve.avro.ModelSpace;
import dev.sieve.dedup.DedupCodec.FirstSeen;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A pre-filled near-duplicate index for benchmarks: the entries the index of one application
 * would hold after {@code items} distinct events, written straight to the changelogs of its stores
 * ({@code dedup-cells}, {@code dedup-exact}) before the application starts, so that Kafka Streams
 * restores them as it would after a restart. Pushing a million events through the topology
 * instead would take hours of model time on this kind of machine.
 *
 * <p>Item {@code i} has the pseudo-random unit vector {@link #vector(long, int, int)}, content hash
 * {@code seed-<i>} and id {@code seeded-<i>}; it is stored in both its cells, as the index stores
 * an event that matched nothing: one record ({@link StoredEvent}) in each partition that owns
 * one of its cells, the partition the topology routes the cell to ({@link Probe#partition}), which
 * is the partition of the task that owns the store; the application must run with {@code
 * sieve.topics.partitions} equal to {@code partitions}.
 */
public final class IndexSeed {

  private final DedupSettings settings;
  private final ModelSpace space;
  private final String scope;

  /** Items of the global scope ({@code ""}) in {@code space}. */
  public IndexSeed(DedupSettings settings, ModelSpace space) {
    this.settings = settings;
    this.space = space;
    this.scope = "";
  }

  /** The changelog topic of the cell store of application {@code applicationId}. */
  public static String cellChangelog(String applicationId) {
    return changelog(applicationId, IndexProcessor.CELL_STORE);
  }

  /** The changelog topic of the exact-content store of application {@code applicationId}. */
  public static String exactChangelog(String applicationId) {
    return changelog(applicationId, IndexProcessor.EXACT_STORE);
  }

  private static String changelog(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }

  /** The id of seeded item {@code i}. */
  public static String itemId(int i) {
    return "seeded-" + i;
  }

  /** Seeded item {@code i}'s unit vector: Gaussian components from a generator seeded by (seed, i). */
  public static float[] vector(long seed, int i, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
    float[] vector = new float[dimensions];
    double norm = 0;
    for (int d = 0; d < dimensions; d++) {
      vector[d] = (float) random.nextGaussian();
      norm += (double) vector[d] * vector[d];
    }
    float inverse = (float) (1 / Math.sqrt(norm));
    for (int d = 0; d < dimensions; d++) {
      vector[d] *= inverse;
    }
    return vector;
  }

  /**
   * Writes {@code items} items to the changelogs of {@code applicationId}, whose index runs on
   * {@code partitions} partitions, and waits until the broker has them all.
   *
   * @param timestamp the items' occurredAt and record timestamp (keep it within the horizon of
   *     the events that follow, or the index purges them)
   * @return the records written: per item one stored event per partition of its two cells (one
   *     when both cells are in one partition, else two) and one exact entry
   */
  public long write(Producer<byte[], byte[]> producer, String applicationId, int partitions, int items, long seed,
      long timestamp) throws InterruptedException, ExecutionException {
    String spaceKey = CellRouter.spaceKey(space);
    CellRouter router = new CellRouter(settings);
    String cellTopic = cellChangelog(applicationId);
    String exactTopic = exactChangelog(applicationId);
    List<Future<RecordMetadata>> last = new ArrayList<>();
    long written = 0;
    for (int i = 0; i < items; i++) {
      float[] unit = vector(seed, i, space.getDimensions());
      String id = itemId(i);
      String hash = "seed-" + i;
      int[] cells = router.cells(spaceKey, unit);
      IndexedItem item = new IndexedItem(id, timestamp, timestamp, hash, cells, QuantizedVector.of(unit));
      int[] none = new int[0]; // seeded items are not texts: no lexical signature, no bands
      Probe event = new Probe(id, scope, spaceKey, timestamp, hash, unit, cells, none, none, Probe.EXACT_ROUTE);
      // As the topology groups the item's routes: one record per partition of its cells.
      for (ProbeGroup group : ProbeGroup.scatter(event, partitions)) {
        int[] stored = Arrays.stream(group.routes()).filter(route -> route >= 0).toArray();
        if (stored.length > 0) {
          send(producer, last, cellTopic, group.partition(), StoredEvent.key(scope, spaceKey, id),
              DedupCodec.storedEvent(StoredEvent.of(scope, spaceKey, item, stored)), timestamp);
          written++;
        }
        if (group.routes()[0] == Probe.EXACT_ROUTE) {
          send(producer, last, exactTopic, group.partition(), scope + '\0' + hash,
              DedupCodec.firstSeen(new FirstSeen(id, timestamp, timestamp)), timestamp);
          written++;
        }
      }
      if (last.size() >= 10_000) {
        awaitAll(last);
      }
    }
    producer.flush();
    awaitAll(last);
    return written;
  }

  private static void send(Producer<byte[], byte[]> producer, List<Future<RecordMetadata>> pending, String topic,
      int partition, String key, byte[] value, long timestamp) {
    pending.add(producer.send(new ProducerRecord<>(topic, partition, timestamp,
        key.getBytes(StandardCharsets.UTF_8), value)));
  }

  private static void awaitAll(List<Future<RecordMetadata>> pending) throws InterruptedException, ExecutionException {
    for (Future<RecordMetadata> future : pending) {
      future.get();
    }
    pending.clear();
  }
}
