package dev.sieve.k8s;

import java.nio.file.Path;
import java.util.Set;

/** The overlays under k8s/overlays and what each promises beyond the application's configuration. */
enum Overlay {
  DEV("dev", 0, Set.of()),
  // Three instances keep a warm copy of each store elsewhere; the Secrets are created by hand.
  PROD("prod", 1, Set.of("sieve-secrets", "sieve-webhook"));

  private final String folder;
  private final int minStandbyReplicas;
  private final Set<String> outOfBandSecrets;

  Overlay(String folder, int minStandbyReplicas, Set<String> outOfBandSecrets) {
    this.folder = folder;
    this.minStandbyReplicas = minStandbyReplicas;
    this.outOfBandSecrets = outOfBandSecrets;
  }

  Path directory() {
    return Path.of(required("sieve.k8s.dir"), "overlays", folder);
  }

  /** The image and version come from the build (parent POM's sieve.image and the project version). */
  DeploymentAgreement.Expectation expectation() {
    String version = required("sieve.version");
    return new DeploymentAgreement.Expectation(required("sieve.image") + ":" + version, version,
        minStandbyReplicas, outOfBandSecrets);
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set (the k8s module's surefire "
          + "configuration sets it)");
    }
    return value;
  }
}
