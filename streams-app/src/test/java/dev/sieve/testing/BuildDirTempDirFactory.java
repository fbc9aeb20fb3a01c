package dev.sieve.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Creates {@code @TempDir} folders under {@code target/} instead of the OS temp directory: Kafka
 * Streams warns at every start when its {@code state.dir} lies under {@code java.io.tmpdir}. Use
 * it as {@code @TempDir(factory = BuildDirTempDirFactory.class)}.
 */
public final class BuildDirTempDirFactory implements TempDirFactory {

  @Override
  public Path createTempDirectory(
      AnnotatedElementContext element, ExtensionContext context) throws Exception {
    Path parent = Files.createDirectories(Path.of("target", "test-tmp")).toAbsolutePath();
    return Files.createTempDirectory(parent, "junit-");
  }
}
