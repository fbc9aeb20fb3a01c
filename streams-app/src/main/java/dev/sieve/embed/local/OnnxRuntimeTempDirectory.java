package dev.sieve.embed.local;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * ONNX Runtime copies its native libraries into a fresh {@code /tmp/onnxruntime-java*} folder and
 * schedules the folder's deletion at exit before the files', so an empty folder is left behind by
 * every run. Once the libraries are loaded the copies are no longer needed (on Linux and macOS a
 * loaded library can be unlinked), so the folder is removed at once. Only the CPU execution
 * provider is used: no further library is extracted there later.
 */
final class OnnxRuntimeTempDirectory {

  private OnnxRuntimeTempDirectory() {}

  /** Best effort: where it fails (another runtime version, Windows) the folder is left as before. */
  static void remove() {
    try {
      Field field = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
      field.setAccessible(true);
      Path directory = (Path) field.get(null);
      if (directory != null && Files.isDirectory(directory)) {
        try (Stream<Path> files = Files.list(directory)) {
          for (Path file : (Iterable<Path>) files::iterator) {
            Files.deleteIfExists(file);
          }
        }
        Files.deleteIfExists(directory);
      }
    } catch (ReflectiveOperationException | RuntimeException | IOException e) {
      // Only an empty folder in /tmp is at stake.
    }
  }
}
