package dev.sieve.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every schema published on a topic keeps a history of its committed versions in
 * {@code schemas/history/<Name>/<n>.avsc}. The build fails when the current schema cannot read
 * data written with any earlier version (BACKWARD_TRANSITIVE, as a registry would enforce), or
 * when the schema changed without its new version being added to the history.
 *
 * <p>To record a compatible change: {@code mvn -pl schemas test -Dsieve.schemas.snapshot=true}
 * writes the next version file; commit it with the change.
 */
class SchemaEvolutionTest {

  private static final Path SCHEMAS = Path.of(System.getProperty("sieve.schemas.dir", "src/main/avro"));
  private static final Path HISTORY = Path.of(System.getProperty("sieve.schemas.history", "history"));
  private static final boolean SNAPSHOT = Boolean.getBoolean("sieve.schemas.snapshot");

  @TestFactory
  Stream<DynamicTest> everyTopicSchemaReadsAllItsCommittedVersions() throws IOException {
    return topicSchemaNames().stream()
        .map(name -> DynamicTest.dynamicTest(name, () -> checkHistory(name)));
  }

  @Test
  void anIncompatibleChangeIsDetected() {
    Schema old = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
    Schema addedRequiredField = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
            + "{\"name\":\"b\",\"type\":\"int\"}]}");
    assertThat(incompatibilities(addedRequiredField, old)).contains("b");
  }

  private static void checkHistory(String name) throws IOException {
    Schema current = SpecificData.get().getSchema(classOf(name));
    Path dir = HISTORY.resolve(name);
    List<Path> versions = versions(dir);
    if (versions.isEmpty() && SNAPSHOT) {
      write(dir, 1, current);
      return;
    }
    assertThat(versions)
        .as("schemas/history/%s has no committed version; run with -Dsieve.schemas.snapshot=true", name)
        .isNotEmpty();
    for (Path version : versions) {
      Schema writer = new Schema.Parser().parse(version.toFile());
      assertThat(incompatibilities(current, writer))
          .as("%s is not BACKWARD compatible with %s", name, version)
          .isEmpty();
    }
    Schema latest = new Schema.Parser().parse(versions.get(versions.size() - 1).toFile());
    if (!latest.equals(current) && SNAPSHOT) {
      write(dir, versions.size() + 1, current);
      return;
    }
    assertThat(current)
        .as("%s changed since %s; add the new version with -Dsieve.schemas.snapshot=true",
            name, versions.get(versions.size() - 1))
        .isEqualTo(latest);
  }

  /** Empty when a reader with schema {@code reader} can decode data written with {@code writer}. */
  private static String incompatibilities(Schema reader, Schema writer) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
      return "";
    }
    StringBuilder why = new StringBuilder();
    result.getIncompatibilities().forEach(i -> why.append(i.getType()).append(' ')
        .append(i.getLocation()).append(": ").append(i.getMessage()).append('\n'));
    return why.toString();
  }

  /** The top-level .avsc files are the records published on topics; common/ holds shared types. */
  private static List<String> topicSchemaNames() throws IOException {
    try (Stream<Path> files = Files.list(SCHEMAS)) {
      return files.filter(p -> p.toString().endsWith(".avsc"))
          .map(p -> p.getFileName().toString().replace(".avsc", ""))
          .sorted()
          .toList();
    }
  }

  private static Class<?> classOf(String name) {
    try {
      return Class.forName("dev.sieve.avro." + name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError("no generated class for " + name, e);
    }
  }

  private static List<Path> versions(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> versions = new ArrayList<>(files.filter(p -> p.toString().endsWith(".avsc")).toList());
      versions.sort(Comparator.comparingInt(
          p -> Integer.parseInt(p.getFileName().toString().replace(".avsc", ""))));
      return versions;
    }
  }

  private static void write(Path dir, int version, Schema schema) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(version + ".avsc"), schema.toString(true) + "\n");
  }
}
