package dev.sieve.embed.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Gemini API's embedding endpoints, on 127.0.0.1, for tests and
 * benchmarks. It serves the REST contract the Google GenAI SDK speaks with an API key:
 * {@code POST /{version}/models/{model}:batchEmbedContents} and {@code :embedContent}, the key in
 * header {@code x-goog-api-key}, answers {@code {"embeddings":[{"values":[...]}]}} (one per request
 * entry, in order) and errors as Google writes them: {@code {"error":{"code":429,"message":"...",
 * "status":"RESOURCE_EXHAUSTED"}}}.
 *
 * <p>Vectors are deterministic: a random generator seeded with the SHA-256 of the entry's {@code
 * content} JSON draws each value from a fixed pool of {@value #POOL_SIZE} normal values scaled by
 * 1/&radic;3072, so that a 3,072-dimension vector has a norm of 1 within a few percent, and cuts
 * it to the requested {@code outputDimensionality} without re-normalising (as the real model does
 * for Matryoshka sizes). The pool's numbers are written as text once: an answer is then copied,
 * not formatted, as the emulator shares the cores with the service it stands in for (formatting
 * 768 numbers per vector was most of its CPU and as much as the embed stage's own per event).
 * Equal content gives equal vectors; similar content does <em>not</em> give similar vectors. With
 * {@link VectorKind#WORD_BAG} similar texts do: the vector is the normalised sum of one such random
 * vector per word, so two texts sharing 38 of 40 words have a cosine near 0.95 and unrelated texts
 * near 0 (for benchmarks that plant near-duplicates).
 *
 * <p>Behaviour can be programmed: latency, scripted {@linkplain Fault faults} for the next
 * requests (error storms with {@code Retry-After}, slow answers, malformed answers), a standing
 * fault for every request until lifted, stop and
 * start on the same port (provider unreachable), and it records every request's arrival time and
 * the last request in full.
 */
public final class GeminiEmulator implements AutoCloseable {

  /** Dimensions of the full vector; smaller outputs are its prefix. */
  public static final int FULL_DIMENSIONS = 3072;
  /** Values content-hash vectors are drawn from (a power of two). */
  static final int POOL_SIZE = 1 << 16;

  private static final Pattern PATH = Pattern.compile("/([^/]+)/models/([^/:]+):(batchEmbedContents|embedContent)");
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Each handler thread writes its answers into its own buffer, reused: a new one per answer
   * (~650 KB for 64 x 768 values) costs more in allocation and page faults than writing it.
   */
  private static final ThreadLocal<AsciiJson> ANSWER_BUFFER = ThreadLocal.withInitial(() -> new AsciiJson(1 << 16));
  private static final Pattern WORD_SEPARATOR = Pattern.compile("[^\\p{L}\\p{N}]+");
  /** 10^0 to 10^17, all exact doubles. */
  private static final double[] POWERS_OF_TEN = new double[18];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  /** The pool of values (see the class comment), and the text of each: {@code POOL_TEXT} from offset i to i + 1. */
  private static final float[] POOL = new float[POOL_SIZE];
  private static final byte[] POOL_TEXT;
  private static final int[] POOL_OFFSETS = new int[POOL_SIZE + 1];

  static {
    SplittableRandom random = new SplittableRandom(0x5EED_6E3_1L);
    AsciiJson text = new AsciiJson(POOL_SIZE * 12);
    for (int i = 0; i < POOL_SIZE; i++) {
      POOL[i] = (float) (random.nextGaussian() / Math.sqrt(FULL_DIMENSIONS));
      text.appendFloat(POOL[i]);
      POOL_OFFSETS[i + 1] = text.length;
    }
    POOL_TEXT = java.util.Arrays.copyOf(text.bytes, text.length);
  }

  /** What the emulator does to one request instead of (or before) answering it normally. */
  public sealed interface Fault {
    /** An error answer in Google's format, with a {@code Retry-After} header when given. */
    static Fault status(int code, Duration retryAfter) {
      return new Status(code, retryAfter);
    }

    /** Waits this long, then answers normally (slow or hanging provider). */
    static Fault delay(Duration delay) {
      return new Delay(delay);
    }

    /** A 200 answer that is wrong in the given way. */
    static Fault malformed(Malformation kind) {
      return new Malformed(kind);
    }

    /** A 200 answer that is not an answer at all. */
    static Fault unreadable(Unreadable kind) {
      return new UnreadableAnswer(kind);
    }
  }

  record Status(int code, Duration retryAfter) implements Fault {}

  record Delay(Duration delay) implements Fault {}

  record Malformed(Malformation kind) implements Fault {}

  record UnreadableAnswer(Unreadable kind) implements Fault {}

  /** 200 answers that cannot be read as vectors: what a proxy or a broken server sends. */
  public enum Unreadable {
    /** An HTML error page. */
    NOT_JSON("<html><body><h1>502 Bad Gateway</h1></body></html>"),
    /** JSON cut in the middle of a vector. */
    CUT_SHORT("{\"embeddings\":[{\"values\":[0.125,-0.25,"),
    /** Well-formed JSON of another shape. */
    OTHER_SHAPE("{\"embeddings\":[[0.125,-0.25]]}");

    private final byte[] body;

    Unreadable(String body) {
      this.body = body.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** Ways a 200 answer can be wrong. */
  public enum Malformation {
    /** One embedding fewer than request entries. */
    WRONG_COUNT,
    /** A NaN in the first vector. */
    NAN,
    /** The first vector one value short. */
    WRONG_DIMENSION,
    /** No {@code embeddings} at all. */
    EMPTY
  }

  /** How vectors are derived from a request entry's content. */
  public enum VectorKind {
    /** One random vector per distinct content JSON: equal content, equal vector; nothing else near. */
    CONTENT_HASH,
    /** The normalised sum of a random vector per word of the text parts (other parts count as one word each). */
    WORD_BAG
  }

  /** One request as received: path, headers (names in lower case) and body. */
  public record RecordedRequest(String path, Map<String, String> headers, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final String apiKey;
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final List<Long> arrivals = new ArrayList<>();
  private final AtomicLong embeddings = new AtomicLong();
  private volatile Duration minLatency = Duration.ZERO;
  private volatile Duration maxLatency = Duration.ZERO;
  private volatile VectorKind vectorKind = VectorKind.CONTENT_HASH;
  private Fault standing;
  private RecordedRequest last;
  private int port;
  private HttpServer server;
  private ExecutorService handlers;

  /**
   * Starts on a free port of 127.0.0.1.
   *
   * @param apiKey the only key accepted; requests without it get a 400 as from Google
   */
  public GeminiEmulator(String apiKey) {
    this.apiKey = apiKey;
    start();
  }

  /** For {@code HttpOptions.baseUrl}: {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Every answer takes this long from the request's arrival (making the answer included). */
  public GeminiEmulator latency(Duration latency) {
    return latency(latency, latency);
  }

  /** Every answer takes a uniformly random time between these, as {@link #latency(Duration)}. */
  public GeminiEmulator latency(Duration min, Duration max) {
    this.minLatency = min;
    this.maxLatency = max;
    return this;
  }

  /** The next {@code times} requests meet this fault (after any already scripted). */
  public synchronized GeminiEmulator next(int times, Fault fault) {
    for (int i = 0; i < times; i++) {
      faults.add(fault);
    }
    return this;
  }

  /**
   * Every request meets this fault (once the scripted ones are used up) until it is lifted with
   * {@code null}: a provider that throttles or fails for a while.
   */
  public synchronized GeminiEmulator standingFault(Fault fault) {
    this.standing = fault;
    return this;
  }

  /** How vectors are derived from now on; {@link VectorKind#CONTENT_HASH} unless set. */
  public GeminiEmulator vectors(VectorKind kind) {
    this.vectorKind = kind;
    return this;
  }

  /** Connections are refused until {@link #start()}. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      handlers.shutdownNow();
      server = null;
    }
  }

  /** Listens again, on the same port once one was chosen. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    port = server.getAddress().getPort();
    // One thread per request in flight: answers sleep to emulate latency.
    handlers = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "gemini-emulator");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Requests received so far (answered or not). */
  public synchronized int requestCount() {
    return arrivals.size();
  }

  /** {@link System#nanoTime()} at the arrival of each request, in order. */
  public synchronized List<Long> arrivalNanos() {
    return List.copyOf(arrivals);
  }

  /** Embeddings answered so far. */
  public long embeddingCount() {
    return embeddings.get();
  }

  /** The last request received, or null. */
  public synchronized RecordedRequest lastRequest() {
    return last;
  }

  @Override
  public void close() {
    stop();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      long arrived = System.nanoTime();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((name, values) ->
          headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
      Fault fault;
      synchronized (this) {
        arrivals.add(arrived);
        last = new RecordedRequest(exchange.getRequestURI().getRawPath(), headers, body);
        fault = faults.isEmpty() ? standing : faults.poll();
      }
      Reply reply = fault instanceof Status status ? statusReply(exchange, status)
          : fault instanceof UnreadableAnswer unreadable ? new Reply(200, unreadable.kind().body)
          : answer(exchange, headers, body, fault instanceof Malformed malformed ? malformed.kind() : null);
      // The latency is the whole time to answer, the answer's making included, as a remote
      // service's is: a benchmark's ceiling (in flight x batch / latency) is then reachable.
      sleep(Duration.ofNanos(latency().toNanos() - (System.nanoTime() - arrived)));
      if (fault instanceof Delay delay) {
        sleep(delay.delay());
      }
      send(exchange, reply);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An answer's status code and its body, the first {@code length} bytes of {@code body}. */
  private record Reply(int code, byte[] body, int length) {
    Reply(int code, byte[] body) {
      this(code, body, body.length);
    }
  }

  private static Reply statusReply(HttpExchange exchange, Status status) {
    if (status.retryAfter() != null) {
      exchange.getResponseHeaders().add("Retry-After", String.valueOf(status.retryAfter().toSeconds()));
    }
    // Google states the delay in the message (and RetryInfo) too: the SDK hides headers.
    return error(status.code(), status.retryAfter() == null ? "emulated failure"
        : "emulated failure. Please retry in " + status.retryAfter().toMillis() / 1000.0 + "s.");
  }

  private Reply answer(HttpExchange exchange, Map<String, String> headers, String body, Malformation malformation) {
    Matcher path = PATH.matcher(exchange.getRequestURI().getRawPath());
    if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
      return error(404, "Method not found.");
    }
    if (apiKey != null && !apiKey.equals(headers.get("x-goog-api-key"))) {
      return error(400, "API key not valid. Please pass a valid API key.");
    }
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      return error(400, "Invalid JSON payload received.");
    }
    String model = "models/" + path.group(2);
    boolean batch = path.group(3).equals("batchEmbedContents");
    List<JsonNode> entries = new ArrayList<>();
    if (batch) {
      request.path("requests").forEach(entries::add);
    } else {
      entries.add(request);
    }
    if (entries.isEmpty()) {
      return error(400, "* BatchEmbedContentsRequest.requests: contents is not specified");
    }
    List<Answered> vectors = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonNode entry = entries.get(i);
      if (batch && !model.equals(entry.path("model").asText())) {
        return error(400, "* BatchEmbedContentsRequest.requests[" + i + "].model: the model must be "
            + model + ", was '" + entry.path("model").asText() + "'");
      }
      int dims = entry.path("outputDimensionality").asInt(FULL_DIMENSIONS);
      if (dims < 128 || dims > FULL_DIMENSIONS) {
        return error(400, "* outputDimensionality must be between 128 and 3072, was " + dims);
      }
      if (!entry.path("content").path("parts").isArray() || entry.path("content").path("parts").isEmpty()) {
        return error(400, "* requests[" + i + "].content.parts: contents is not specified");
      }
      vectors.add(vectorKind == VectorKind.WORD_BAG ? new Answered(wordBagVectorOf(entry.path("content"), dims), null)
          : new Answered(null, poolIndices(entry.path("content"), dims)));
    }
    if (malformation == Malformation.EMPTY) {
      return new Reply(200, "{}".getBytes(StandardCharsets.UTF_8));
    }
    int count = malformation == Malformation.WRONG_COUNT ? vectors.size() - 1 : vectors.size();
    AsciiJson json = ANSWER_BUFFER.get().clear();
    json.append(batch ? "{\"embeddings\":[" : "{");
    for (int i = 0; i < count; i++) {
      Answered vector = vectors.get(i);
      int length = i == 0 && malformation == Malformation.WRONG_DIMENSION ? vector.length() - 1 : vector.length();
      json.append(i > 0 ? "," : "").append(batch ? "{\"values\":[" : "\"embedding\":{\"values\":[");
      for (int d = 0; d < length; d++) {
        if (d > 0) {
          json.append(',');
        }
        if (i == 0 && d == 0 && malformation == Malformation.NAN) {
          json.appendFloat(Float.NaN);
        } else if (vector.pooled() != null) {
          int value = vector.pooled()[d];
          json.append(POOL_TEXT, POOL_OFFSETS[value], POOL_OFFSETS[value + 1]);
        } else {
          json.appendFloat(vector.values()[d]);
        }
      }
      json.append("]}");
    }
    json.append(batch ? "]}" : "}");
    embeddings.addAndGet(count);
    return new Reply(200, json.bytes, json.length);
  }

  /** A vector to answer: its values, or the indices of its values in the pool. */
  private record Answered(float[] values, int[] pooled) {
    int length() {
      return pooled != null ? pooled.length : values.length;
    }
  }

  /**
   * JSON text of ASCII characters, written straight into bytes: an answer of 64 vectors of 768
   * values is ~650 KB, and a {@code StringBuilder} then {@code String} then {@code byte[]} cost
   * the emulator (which shares the cores with what it serves) more than the numbers themselves.
   */
  static final class AsciiJson {
    private static final int[] INT_POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};
    private byte[] bytes;
    private int length;

    AsciiJson(int capacity) {
      this.bytes = new byte[Math.max(16, capacity)];
    }

    AsciiJson append(char c) {
      room(1);
      bytes[length++] = (byte) c;
      return this;
    }

    /** {@code text} must be ASCII. */
    AsciiJson append(String text) {
      room(text.length());
      for (int i = 0; i < text.length(); i++) {
        bytes[length++] = (byte) text.charAt(i);
      }
      return this;
    }

    /** Appends {@code text[from..to)}, ASCII. */
    AsciiJson append(byte[] text, int from, int to) {
      room(to - from);
      System.arraycopy(text, from, bytes, length, to - from);
      length += to - from;
      return this;
    }

    /**
     * Appends a float as JSON that parses back to exactly {@code value}. {@link Float#toString}
     * (what Jackson writes) cost the emulator more CPU than the embed stage it serves spends on a
     * whole event; a unit vector's values in [1e-8, 1) are written here with 9 significant digits
     * instead, computed in double precision: within 2e-8 of the value relative to it, less than
     * half the spacing of floats there, so parsing (also through a double) gives the same float.
     * Other values as {@link Float#toString}; NaN as Jackson writes it.
     */
    AsciiJson appendFloat(float value) {
      double magnitude = Math.abs((double) value);
      if (Float.isNaN(value)) {
        return append("\"NaN\"");
      }
      if (magnitude < 1e-8 || magnitude >= 1) {
        return append(Float.toString(value));
      }
      int scale = 9; // magnitude x 10^scale has 9 digits before the point
      while (magnitude * POWERS_OF_TEN[scale] < 1e8) {
        scale++;
      }
      // below 10^9 (or just reaching it when rounded up): int arithmetic, cheaper than long
      int digits = (int) Math.round(magnitude * POWERS_OF_TEN[scale]);
      if (digits >= 1_000_000_000) {
        digits /= 10;
        scale--;
      }
      while (digits % 10 == 0) { // no trailing zeros (digits > 0: magnitude >= 1e-8)
        digits /= 10;
        scale--;
      }
      int significant = 1;
      while (significant < 9 && digits >= INT_POWERS_OF_TEN[significant]) {
        significant++;
      }
      int zeros = scale - significant;
      room(3 + zeros + significant);
      byte[] out = bytes; // locals: the JIT keeps them in registers
      int at = length;
      if (value < 0) {
        out[at++] = '-';
      }
      out[at++] = '0';
      out[at++] = '.';
      for (; zeros > 0; zeros--) {
        out[at++] = '0';
      }
      at += significant;
      for (int i = at - 1; digits > 0; i--) {
        int next = digits / 10;
        out[i] = (byte) ('0' + digits - next * 10);
        digits = next;
      }
      length = at;
      return this;
    }

    AsciiJson clear() {
      length = 0;
      return this;
    }

    @Override
    public String toString() {
      return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    private void room(int more) {
      if (length + more > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }
  }

  /** Google's error body: {@code {"error":{"code":..,"message":..,"status":..}}}. */
  private static Reply error(int code, String message) {
    ObjectNode error = JSON.createObjectNode();
    error.putObject("error").put("code", code).put("message", message).put("status", statusName(code));
    try {
      return new Reply(code, JSON.writeValueAsBytes(error));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(reply.code(), reply.length());
    exchange.getResponseBody().write(reply.body(), 0, reply.length());
  }

  static String statusName(int code) {
    return switch (code) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 500 -> "INTERNAL";
      case 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> "UNKNOWN";
    };
  }

  /** The deterministic vector of a content: see the class comment. */
  static float[] vectorOf(JsonNode content, int dimensions) {
    int[] indices = poolIndices(content, dimensions);
    float[] vector = new float[dimensions];
    for (int d = 0; d < dimensions; d++) {
      vector[d] = POOL[indices[d]];
    }
    return vector;
  }

  /** Where in the pool each value of a content's vector is. */
  private static int[] poolIndices(JsonNode content, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed(content.toString()));
    int[] indices = new int[dimensions];
    for (int d = 0; d < dimensions; d++) {
      indices[d] = random.nextInt(POOL_SIZE);
    }
    return indices;
  }

  /** The word-bag vector of a content: see {@link VectorKind#WORD_BAG}. */
  static float[] wordBagVectorOf(JsonNode content, int dimensions) {
    double[] sum = new double[dimensions];
    for (JsonNode part : content.path("parts")) {
      List<String> words = part.has("text")
          ? List.of(WORD_SEPARATOR.split(part.path("text").asText().toLowerCase(Locale.ROOT)))
          : List.of(part.toString());
      for (String word : words) {
        if (!word.isEmpty()) {
          double[] vector = gaussian(word, dimensions);
          for (int d = 0; d < dimensions; d++) {
            sum[d] += vector[d];
          }
        }
      }
    }
    double norm = norm(sum);
    float[] vector = new float[dimensions];
    for (int d = 0; d < dimensions; d++) {
      vector[d] = (float) (norm == 0 ? (d == 0 ? 1 : 0) : sum[d] / norm);
    }
    return vector;
  }

  /** Standard normal values from a generator seeded with the SHA-256 of {@code key}. */
  private static double[] gaussian(String key, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed(key));
    double[] values = new double[dimensions];
    for (int d = 0; d < dimensions; d++) {
      values[d] = random.nextGaussian();
    }
    return values;
  }

  /** The first 8 bytes of the SHA-256 of {@code key}. */
  private static long seed(String key) {
    byte[] digest = sha256(key.getBytes(StandardCharsets.UTF_8));
    long seed = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      seed = (seed << 8) | (digest[i] & 0xff);
    }
    return seed;
  }

  private static double norm(double[] vector) {
    double sum = 0;
    for (double value : vector) {
      sum += value * value;
    }
    return Math.sqrt(sum);
  }

  private Duration latency() {
    long min = minLatency.toNanos();
    long max = maxLatency.toNanos();
    return Duration.ofNanos(max <= min ? min : ThreadLocalRandom.current().nextLong(min, max + 1));
  }

  private static void sleep(Duration duration) throws InterruptedException {
    if (!duration.isNegative() && !duration.isZero()) {
      Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
