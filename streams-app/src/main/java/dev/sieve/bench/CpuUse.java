package dev.sieve.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time this JVM spends between two moments, in total and per kind of thread (stream
 * threads, embed workers, the broker, Kafka clients' network threads, the Gemini emulator, the
 * rest). On a machine
 * whose cores are shared with other work, CPU time per event is a steadier figure than events/s:
 * it shows what a step costs, not how much CPU it happened to get. Threads that end between the
 * two moments are not counted in the breakdown (they are in the total).
 */
final class CpuUse {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long processStart = processCpuNanos();
  private final Map<Long, Long> threadStart = threadCpuNanos();
  private final Map<String, Long> nativeStart = nativeThreadTicks();

  /**
   * CPU seconds since this object was made: "total" for the process, one entry per kind of thread
   * (Java threads by name, and on Linux the garbage collector's, the JIT compiler's and RocksDB's
   * native threads), and "unattributed": what none of these accounts for (other native threads).
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
    nativeThreadTicks().forEach((kind, ticks) ->
        use.merge(kind, (ticks - nativeStart.getOrDefault(kind, 0L)) / (double) CLOCK_TICKS_PER_SECOND, Double::sum));
    double attributed = use.entrySet().stream().filter(e -> !e.getKey().equals("total"))
        .mapToDouble(Map.Entry::getValue).sum();
    use.put("unattributed", use.get("total") - attributed);
    return use;
  }

  static String kind(String thread) {
    if (thread.contains("StreamThread")) {
      return "streamThreads";
    }
    if (thread.startsWith("sieve-embed-") || thread.startsWith("gemini-request-")) {
      return "embedWorkers"; // the stage's workers and the Gemini provider's request threads
    }
    if (thread.startsWith("gemini-emulator")) {
      return "emulator"; // stands for a remote service: its CPU is not Sieve's
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

  /** USER_HZ of Linux's /proc accounting, 100 on the common architectures. */
  private static final int CLOCK_TICKS_PER_SECOND = 100;

  /**
   * CPU ticks of the JVM's threads that are not Java threads, by kind, read from
   * {@code /proc/self/task} (Linux; empty elsewhere): the garbage collector's and the JIT
   * compiler's threads, and RocksDB's background flushes and compactions (the state stores).
   */
  private static Map<String, Long> nativeThreadTicks() {
    Map<String, Long> ticks = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return ticks;
    }
    try (var threads = Files.list(tasks)) {
      threads.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String kind = nativeKind(name);
          if (kind != null) {
            // after "(comm) ": state is field 3; utime and stime are fields 14 and 15
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks.merge(kind, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended while being read
        }
      });
    } catch (IOException e) {
      return ticks;
    }
    return ticks;
  }

  static String nativeKind(String threadName) {
    if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
      return "gc";
    }
    if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (threadName.startsWith("rocksdb:")) {
      return "rocksdb";
    }
    return null;
  }

  /** CPU time of this process so far, or -1 where the JVM does not tell. */
  static long processCpuNanos() {
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
