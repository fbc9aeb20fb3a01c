package dev.sieve.embed;

import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A text-only provider for tests whose behaviour is scripted: a fixed latency per call, calls that
 * hold until released, a number of next calls that fail as unavailable, contents the provider
 * refuses (prepare or whole batch). Vectors are derived from the text, so equal texts get equal
 * vectors. Records every call.
 */
public final class ProgrammableProvider implements EmbeddingProvider {

  public static final int DIMENSIONS = 4;

  /** One call to {@link #embed}: its texts and when it started ({@link System#nanoTime()}). */
  public record Call(List<String> texts, long startedNanos) {}

  private final int maxBatchSize;
  private volatile Duration latency = Duration.ZERO;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
  private final Set<String> unembeddable = ConcurrentHashMap.newKeySet();
  private final Set<String> poison = ConcurrentHashMap.newKeySet();
  private final AtomicInteger unavailableCalls = new AtomicInteger();
  private volatile Duration retryAfter;
  private volatile int breakAfterCalls = Integer.MAX_VALUE;
  private volatile CountDownLatch breakWhen;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostRunning = new AtomicInteger();

  public ProgrammableProvider(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  public ProgrammableProvider withLatency(Duration value) {
    this.latency = value;
    return this;
  }

  /** Calls that include {@code text} (or {@code "*"}: every call) wait until {@link #release}. */
  public void hold(String text) {
    holds.put(text, new CountDownLatch(1));
  }

  public void release(String text) {
    CountDownLatch latch = holds.remove(text);
    if (latch != null) {
      latch.countDown();
    }
  }

  /** {@code prepare} refuses this text with reason {@code unsupported-modality-for-provider}. */
  public void refuseAtPrepare(String text) {
    unembeddable.add(text);
  }

  /** Any call containing this text is refused as a whole ({@link BatchRejectedException}). */
  public void poison(String text) {
    poison.add(text);
  }

  /** The next {@code count} calls throw {@link ProviderUnavailableException} with this Retry-After. */
  public void failNext(int count, Duration retryAfter) {
    this.retryAfter = retryAfter;
    unavailableCalls.set(count);
  }

  /** Calls after the first {@code calls} throw an unexpected exception, as a provider bug would. */
  public void breakAfter(int calls) {
    breakAfter(calls, null);
  }

  /** As {@link #breakAfter(int)}, but the failing calls wait for {@code when} first (null: no wait). */
  public void breakAfter(int calls, CountDownLatch when) {
    this.breakWhen = when;
    this.breakAfterCalls = calls;
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Every text embedded, over all calls, including refused and failed calls. */
  public List<String> textsSent() {
    List<String> texts = new ArrayList<>();
    calls.forEach(call -> texts.addAll(call.texts()));
    return texts;
  }

  /** The most calls that ran at the same time. */
  public int mostConcurrentCalls() {
    return mostRunning.get();
  }

  @Override
  public ModelSpace space() {
    return ModelSpace.newBuilder().setProvider("programmable").setModel("test").setDimensions(DIMENSIONS)
        .setInstruction("").build();
  }

  @Override
  public EmbeddingInput prepare(List<MediaPart> parts, Map<String, String> attributes) {
    StringBuilder text = new StringBuilder();
    for (MediaPart part : parts) {
      if (part.getText() == null) {
        throw new UnembeddableContentException("unsupported-modality-for-provider", "text only");
      }
      text.append(part.getText());
    }
    if (unembeddable.contains(text.toString())) {
      throw new UnembeddableContentException("unsupported-modality-for-provider", "refused: " + text);
    }
    return new Text(text.toString());
  }

  @Override
  public List<Embedding> embed(List<EmbeddingInput> inputs) {
    List<String> texts = inputs.stream().map(input -> ((Text) input).text()).toList();
    calls.add(new Call(texts, System.nanoTime()));
    if (calls.size() > breakAfterCalls) {
      awaitRelease(breakWhen);
      throw new IllegalStateException("scripted provider failure");
    }
    mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    try {
      for (String text : texts) {
        awaitRelease(holds.get(text));
      }
      awaitRelease(holds.get("*"));
      if (unavailableCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new ProviderUnavailableException("scripted outage", retryAfter, null);
      }
      if (texts.stream().anyMatch(poison::contains)) {
        throw new BatchRejectedException("provider-rejected", "scripted refusal of a batch of " + texts.size());
      }
      sleep(latency);
      return texts.stream().map(ProgrammableProvider::vectorOf).map(v -> new Embedding(v, false)).toList();
    } finally {
      running.decrementAndGet();
    }
  }

  @Override
  public int maxBatchSize() {
    return maxBatchSize;
  }

  @Override
  public void close() {
    holds.values().forEach(CountDownLatch::countDown);
  }

  /** The vector this provider gives a text: deterministic, unit length. */
  public static float[] vectorOf(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    float[] vector = new float[DIMENSIONS];
    for (int i = 0; i < bytes.length; i++) {
      vector[i % DIMENSIONS] += bytes[i];
    }
    vector[0] += 1;
    double norm = 0;
    for (float v : vector) {
      norm += v * v;
    }
    for (int i = 0; i < DIMENSIONS; i++) {
      vector[i] /= (float) Math.sqrt(norm);
    }
    return vector;
  }

  private static void awaitRelease(CountDownLatch latch) {
    if (latch == null) {
      return;
    }
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException("interrupted while held", null, e);
    }
  }

  private static void sleep(Duration duration) {
    if (duration.isZero()) {
      return;
    }
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException("interrupted", null, e);
    }
  }

  private record Text(String text) implements EmbeddingInput {}
}
