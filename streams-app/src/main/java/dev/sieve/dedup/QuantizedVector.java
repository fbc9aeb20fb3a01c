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

  /** Cosine between a unit {@code query} and this vector. */
  public float cosine(float[] query) {
    float sum = 0;
    for (int i = 0; i < values.length; i++) {
      sum += query[i] * values[i];
    }
    return sum * scale;
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
