package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimHashTest {

  /**
   * Cells route stored state (partitions, changelogs, pre-filled indexes): the hyperplanes must stay
   * the Gaussians of {@code java.util.Random(seed ^ stableHash(space))}, drawn plane by plane.
   */
  @Test
  void projectionsAreOnTheDocumentedGaussianHyperplanes() {
    int bits = 6;
    int dimensions = 48;
    long seed = 42;
    Random random = new Random(seed ^ SimHash.stableHash("local/m/48/"));
    double[][] planes = new double[bits][dimensions];
    for (int b = 0; b < bits; b++) {
      for (int d = 0; d < dimensions; d++) {
        planes[b][d] = (float) random.nextGaussian();
      }
    }
    SimHash hash = new SimHash(bits, dimensions, seed, "local/m/48/");
    SplittableRandom vectors = new SplittableRandom(1);
    for (int i = 0; i < 200; i++) {
      float[] vector = new float[dimensions];
      for (int d = 0; d < dimensions; d++) {
        vector[d] = (float) vectors.nextGaussian();
      }
      float[] projections = hash.projections(vector);
      for (int b = 0; b < bits; b++) {
        double expected = 0;
        for (int d = 0; d < dimensions; d++) {
          expected += vector[d] * planes[b][d];
        }
        assertThat((double) projections[b]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3));
      }
      int home = 0;
      for (int b = 0; b < bits; b++) {
        home |= projections[b] >= 0 ? 1 << b : 0;
      }
      assertThat(hash.cells(vector)[0]).isEqualTo(home);
    }
  }
}
