package dev.sieve.dedup;

/**
 * A unit vector stored as one signed byte per dimension and a scale, a quarter of the floats'
 * size. {@link #cosine} compares a full-precision query with it; the bench reports the largest
 * error this makes against float cosine (about 1e-3 on 768 dimensions).
 *
 * @param values the components divided by {@code max|component| / 127}, rounded
 * @param scale multiplier that turns {@code query · values} into a cosine: it also divides by the
 *     norm of the rounded vector, so the stored vector is exactly unit length
 */
public record QuantizedVector(byte[] values, float scale) {

  public static QuantizedVector of(float[] unit) {
    float max = 0;
    for (float v : unit) {
      max = Math.max(max, Math.abs(v));
    }
    byte[] values = new byte[unit.length];
    double norm = 0;
    for (int i = 0; i < unit.length; i++) {
      int q = Math.round(unit[i] / max * 127f);
      values[i] = (byte) q;
      norm += (double) q * q;
    }
    return new QuantizedVector(values, (float) (1 / Math.sqrt(norm)));
  }

  public int dimensions() {
    return values.length;
  }

  /**
   * Cosine between a unit {@code query} and this vector. Eight partial sums, because one float sum
   * is a chain of dependent additions the JIT may not reorder: this is the index's inner loop.
   */
  public float cosine(float[] query) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int n = values.length;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      s0 += query[i] * values[i];
      s1 += query[i + 1] * values[i + 1];
      s2 += query[i + 2] * values[i + 2];
      s3 += query[i + 3] * values[i + 3];
      s4 += query[i + 4] * values[i + 4];
      s5 += query[i + 5] * values[i + 5];
      s6 += query[i + 6] * values[i + 6];
      s7 += query[i + 7] * values[i + 7];
    }
    for (; i < n; i++) {
      s0 += query[i] * values[i];
    }
    return ((s0 + s1) + (s2 + s3) + ((s4 + s5) + (s6 + s7))) * scale;
  }

  /** The vector back in floats (unit length). */
  public float[] toFloats() {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] * scale;
    }
    return out;
  }
}
