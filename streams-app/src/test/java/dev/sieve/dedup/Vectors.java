package dev.sieve.dedup;

import java.util.Random;

/** Unit vectors made for tests: random ones, and ones at an exact cosine from another. */
final class Vectors {

  private final Random random;
  private final int dimensions;

  Vectors(long seed, int dimensions) {
    this.random = new Random(seed);
    this.dimensions = dimensions;
  }

  float[] random() {
    float[] v = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return normalised(v);
  }

  /** A unit vector whose cosine with the unit vector {@code base} is {@code cosine}. */
  float[] at(float[] base, double cosine) {
    float[] noise = random();
    double along = dot(noise, base);
    float[] orthogonal = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      orthogonal[i] = (float) (noise[i] - along * base[i]);
    }
    orthogonal = normalised(orthogonal);
    double across = Math.sqrt(1 - cosine * cosine);
    float[] v = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) (cosine * base[i] + across * orthogonal[i]);
    }
    return normalised(v);
  }

  static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  static float[] normalised(float[] v) {
    double norm = Math.sqrt(dot(v, v));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }
}
