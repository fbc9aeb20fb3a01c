package dev.sieve.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time this JVM spends between two moments, in total and per kind of thread (stream
 * threads, embed workers, the broker, Kafka clients' network threads, the rest). On a machine
 * whose cores are shared with other work, CPU time per event is a steadier figure than events/s:
 * it shows what a step costs, not how much CPU it happened to get. Threads that end between the
 * two moments are not counted in the breakdown (they are in the total).
 */
final class CpuUse {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long processStart = processCpuNanos();
  private final Map<Long, Long> threadStart = threadCpuNanos();

  /**
   * CPU seconds since this object was made: "total" for the process, one entry per kind of thread,
   * and "unattributed": what no Java thread accounts for (garbage collection, the JIT compiler,
   * native threads).
   */
  Map<String, Double> seconds() {
    Map<String, Double> use = new LinkedHashMap<>();
    use.put("total", (processCpuNanos() - processStart) / 1e9);
    Map<Long, Long> now = threadCpuNanos();
    for (ThreadInfo info : THREADS.getThreadInfo(now.keySet().stream().mapToLong(Long::longValue).toArray())) {
      if (info == null) {
        continue;
      }
      long spent = now.get(info.getThreadId()) - threadStart.getOrDefault(info.getThreadId(), 0L);
      use.merge(kind(info.getThreadName()), spent / 1e9, Double::sum);
    }
    double attributed = use.entrySet().stream().filter(e -> !e.getKey().equals("total"))
        .mapToDouble(Map.Entry::getValue).sum();
    use.put("unattributed", use.get("total") - attributed);
    return use;
  }

  static String kind(String thread) {
    if (thread.contains("StreamThread")) {
      return "streamThreads";
    }
    if (thread.startsWith("sieve-embed-")) {
      return "embedWorkers";
    }
    if (thread.startsWith("kafka-producer-network-thread")) {
      return "producerNetwork";
    }
    if (thread.startsWith("data-plane") || thread.startsWith("kafka-") || thread.startsWith("quorum")
        || thread.startsWith("group-coordinator") || thread.startsWith("TxnMarker") || thread.startsWith("log-")
        || thread.startsWith("broker-") || thread.startsWith("controller-") || thread.contains("ReplicaFetcher")
        || thread.startsWith("transaction")) {
      return "broker";
    }
    return "other";
  }

  private static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  private static Map<Long, Long> threadCpuNanos() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long nanos = THREADS.getThreadCpuTime(id);
      if (nanos >= 0) {
        cpu.put(id, nanos);
      }
    }
    return cpu;
  }
}
