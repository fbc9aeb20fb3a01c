package dev.sieve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strimzi.api.kafka.model.kafka.Kafka;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each overlay renders, parses strictly into typed models, and agrees with the application. */
class OverlayTest {

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void everyRenderedObjectParsesStrictlyIntoItsModel(Overlay overlay) {
    RenderedManifests manifests = new RenderedManifests(Kustomize.fromSystemProperties().render(overlay.directory()));

    assertThat(manifests.violations()).isEmpty();
    assertThat(manifests.all(StatefulSet.class)).hasSize(1);
    assertThat(manifests.all(Kafka.class)).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void deploymentAgreesWithTheApplicationsConfiguration(Overlay overlay) {
    RenderedManifests manifests = new RenderedManifests(Kustomize.fromSystemProperties().render(overlay.directory()));

    assertThat(DeploymentAgreement.violations(manifests, overlay.expectation())).isEmpty();
  }

  @Test
  void aMissingKubectlFailsNamingWhatToInstall() {
    Kustomize kustomize = new Kustomize("/nonexistent/kubectl");

    assertThatThrownBy(() -> kustomize.render(Overlay.DEV.directory()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot run '/nonexistent/kubectl'")
        .hasMessageContaining("install kubectl or name it with -Dsieve.kubectl=PATH");
  }

  @Test
  void aBrokenOverlayFailsWithKustomizesMessage(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - missing.yaml\n");

    assertThatThrownBy(() -> Kustomize.fromSystemProperties().render(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kubectl kustomize " + dir + " failed")
        .hasMessageContaining("missing.yaml");
  }
}
