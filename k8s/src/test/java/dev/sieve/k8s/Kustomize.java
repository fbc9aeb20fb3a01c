package dev.sieve.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Renders a Kustomize directory with {@code kubectl kustomize}, as {@code kubectl apply -k} would. */
final class Kustomize {

  /** System property naming the kubectl binary; {@code kubectl} on the PATH by default. */
  static final String KUBECTL_PROPERTY = "sieve.kubectl";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String kubectl;

  Kustomize(String kubectl) {
    this.kubectl = kubectl;
  }

  static Kustomize fromSystemProperties() {
    return new Kustomize(System.getProperty(KUBECTL_PROPERTY, "kubectl"));
  }

  /** The rendered objects, one YAML document each, in kubectl's order. */
  List<JsonNode> render(Path directory) {
    Process process;
    try {
      process = new ProcessBuilder(kubectl, "kustomize", directory.toString()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run '" + kubectl + "' (" + e.getMessage() + "): the manifests are "
          + "rendered with `kubectl kustomize`; install kubectl or name it with -D" + KUBECTL_PROPERTY + "=PATH", e);
    }
    CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> text(process.getErrorStream()));
    String output = text(process.getInputStream());
    try {
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl kustomize " + directory + " did not finish within 2 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while rendering " + directory, e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("kubectl kustomize " + directory + " failed (exit " + process.exitValue()
          + "): " + errors.join().strip());
    }
    try {
      List<JsonNode> objects = new ArrayList<>();
      for (JsonNode document : YAML.readerFor(JsonNode.class).<JsonNode>readValues(output).readAll()) {
        if (!document.isNull() && !document.isEmpty()) {
          objects.add(document);
        }
      }
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException("kubectl kustomize " + directory + " printed no valid YAML", e);
    }
  }

  private static String text(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
