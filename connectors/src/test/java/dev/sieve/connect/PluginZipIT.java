package dev.sieve.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.connect.worker.Topics;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.SharedKafkaBroker;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin zip as a worker sees it (run by {@code mvn verify}, after packaging): unzipped on
 * {@code plugin.path} of a standalone worker in its own JVM whose classpath holds jars only: none
 * of Sieve, none of the jars the zip carries (but the Jackson that Connect itself needs) and none
 * of the streams-app dependencies the zip leaves out;
 * the media and labels sources write their records.
 */
@ExtendWith(SharedKafkaBroker.class)
class PluginZipIT {

  /** Dependencies of the streams app that the zip leaves out (see src/main/assembly/plugin.xml). */
  private static final List<String> LEFT_OUT = List.of("/com/microsoft/onnxruntime/", "/ai/djl/", "/dev/langchain4j/",
      "/com/google/genai/", "/org/apache/pdfbox/", "/com/github/haifengl/", "/info/picocli/");

  /** Jars the zip carries that the Connect runtime needs itself, so every worker has its own. */
  private static final List<String> KAFKA_HAS = List.of("jackson-core-", "jackson-databind-", "jackson-annotations-");

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path dir;

  @Test
  void theUnzippedPluginRunsOnAWorkerWithoutSieveOnItsClasspath(EmbeddedKafkaBroker broker) throws Exception {
    Path zip = Path.of("target", "sieve-connectors-" + System.getProperty("sieve.expected.version") + "-plugin.zip");
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Set<String> carried = unzip(zip, plugins);
    Path media = Files.createDirectories(dir.resolve("media"));
    Path labels = Files.createDirectories(dir.resolve("labels"));
    Files.writeString(media.resolve("note.txt"), "hello from the plugin");
    Files.writeString(labels.resolve("labels.yaml"),
        "labels:\n  - id: greeting\n    kind: category\n    description: greetings\n");
    Topics.create(broker, "zip-events", "zip-labels");
    Path worker = write("worker.properties", "bootstrap.servers=" + broker.bootstrapServers(),
        "listeners=http://127.0.0.1:0", "plugin.path=" + plugins, "plugin.discovery=service_load",
        "key.converter=org.apache.kafka.connect.storage.StringConverter",
        "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
        "offset.storage.file.filename=" + dir.resolve("offsets"), "offset.flush.interval.ms=200");
    Path mediaSource = write("media.properties", "name=media", "connector.class=dev.sieve.connect.media.MediaSourceConnector",
        "directories=" + media, "topic=zip-events", "schema.registry.url=mem://zip", "poll.interval.ms=100", "stable.ms=100");
    Path labelsSource = write("labels.properties", "name=labels",
        "connector.class=dev.sieve.connect.labels.LabelsSourceConnector", "directory=" + labels, "topic=zip-labels",
        "schema.registry.url=mem://zip", "poll.interval.ms=100");
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar") && !entry.contains("sieve") && LEFT_OUT.stream().noneMatch(entry::contains))
        .filter(entry -> {
          String jar = Path.of(entry).getFileName().toString();
          return !carried.contains(jar) || KAFKA_HAS.stream().anyMatch(jar::startsWith);
        })
        .collect(Collectors.joining(File.pathSeparator));
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, "org.apache.kafka.connect.cli.ConnectStandalone",
        worker.toString(), mediaSource.toString(), labelsSource.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile()).start();
    try {
      List<ConsumerRecord<String, byte[]>> events = Topics.read(broker, "zip-events", 1);
      List<ConsumerRecord<String, byte[]>> written = Topics.read(broker, "zip-labels", 1);

      assertThat(events).singleElement().satisfies(r -> assertThat(r.value()).startsWith((byte) 0));
      assertThat(written).singleElement().satisfies(r -> {
        assertThat(r.key()).isEqualTo("greeting");
        assertThat(r.value()).startsWith((byte) 0);
      });
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
      // The worker's own account (errors only: it has no logging configuration), in the test's output file.
      System.out.println(Files.readString(dir.resolve("worker.log")));
    }
  }

  /** Unzips {@code zip} into {@code target}; the names of the jars it carries. */
  private static Set<String> unzip(Path zip, Path target) throws IOException {
    Set<String> jars = new java.util.HashSet<>();
    try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
      for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
        Path to = target.resolve(entry.getName()).normalize();
        if (entry.isDirectory()) {
          Files.createDirectories(to);
        } else {
          Files.createDirectories(to.getParent());
          Files.copy(entries, to);
          if (to.getFileName().toString().endsWith(".jar")) {
            jars.add(to.getFileName().toString());
          }
        }
      }
    }
    assertThat(jars).contains("sieve-connectors-" + System.getProperty("sieve.expected.version") + ".jar");
    return jars;
  }

  private Path write(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name), List.of(lines));
  }
}
