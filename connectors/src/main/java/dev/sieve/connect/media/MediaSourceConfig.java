package dev.sieve.connect.media;

import dev.sieve.connect.config.Field;
import dev.sieve.connect.config.Validators;
import dev.sieve.connect.report.ProblemReporter;
import dev.sieve.serde.SpecificAvroSerdeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyStringWithoutControlChars;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Options of {@link MediaSourceConnector}; the registry settings are those of Sieve's serde. */
public final class MediaSourceConfig extends AbstractConfig {

  private static final String FILES = "Files";
  private static final String EVENTS = "Events";

  public static final Field DIRECTORIES = Field.create("directories", Type.LIST, FILES)
      .withValidator(Validators.nonEmptyList()).withImportance(Importance.HIGH).withDisplayName("Directories")
      .withDoc("Directories to watch, recursively. Must not overlap. With several tasks, each task "
          + "watches a share of them.");
  public static final Field INCLUDE = Field.create("include", Type.LIST, FILES)
      .withDefault("**").withValidator(Validators.globs()).withDisplayName("Include globs")
      .withDoc("Globs over the path relative to its watched directory ('/' separated); a file is "
          + "read when one matches. '**' matches across directories, '*' within one name.");
  public static final Field EXCLUDE = Field.create("exclude", Type.LIST, FILES)
      .withDefault(".*,**/.*,**.part,**.tmp,**.crdownload,**~").withValidator(Validators.globs())
      .withDisplayName("Exclude globs")
      .withDoc("Globs (as for include) of files and directories to skip; the default skips hidden "
          + "files and the names that writers use before renaming a finished file.");
  public static final Field FOLLOW_SYMLINKS = Field.create("follow.symlinks", Type.BOOLEAN, FILES)
      .withDefault(true).withDisplayName("Follow symlinks")
      .withDoc("Follow symbolic links to files and directories; loops are reported, not followed.");
  public static final Field STABLE_MS = Field.create("stable.ms", Type.LONG, FILES)
      .withDefault(2_000L).withValidator(Range.atLeast(0)).withDisplayName("Stable for (ms)")
      .withDoc("A file is read once its size and modification time have not changed for this long "
          + "(so a file still being written is not emitted half-done).");
  public static final Field POLL_INTERVAL_MS = Field.create("poll.interval.ms", Type.LONG, FILES)
      .withDefault(1_000L).withValidator(Range.atLeast(10)).withDisplayName("Poll interval (ms)")
      .withDoc("How often the directories are listed.");
  public static final Field BATCH_MAX_FILES = Field.create("batch.max.files", Type.INT, FILES)
      .withDefault(100).withValidator(Range.atLeast(1)).withDisplayName("Files per batch")
      .withDoc("At most this many files are read per poll; the rest follow in the next polls.");
  public static final Field SIDECARS = Field.create("sidecar.extensions", Type.LIST, FILES)
      .withDefault("txt,json").withValidator(new SidecarExtensions()).withDisplayName("Sidecar extensions")
      .withDoc("A file 'name.txt' next to 'name.<other>' is the other's caption (a text part); "
          + "'name.json' holds its attributes (an object; values become strings). Empty: no sidecars.");

  public static final Field TOPIC = Field.create("topic", Type.STRING, EVENTS)
      .withDefault("media.events").withValidator(new NonEmptyStringWithoutControlChars())
      .withImportance(Importance.HIGH).withDisplayName("Topic")
      .withDoc("Topic of the MediaEvent records (Sieve's sieve.topic.events).");
  public static final Field INLINE_MAX_BYTES = Field.create("inline.max.bytes", Type.INT, EVENTS)
      .withDefault(512 * 1024).withValidator(Range.atLeast(0)).withDisplayName("Inline up to (bytes)")
      .withDoc("Files up to this size travel inline in the event; larger ones as a 'uri' part "
          + "(see uri.prefix). Keep it below the topic's max.message.bytes.");
  public static final Field URI_PREFIX = Field.create("uri.prefix", Type.STRING, EVENTS)
      .withDefault("").withDisplayName("URI prefix")
      .withDoc("Base of the 'uri' of files above inline.max.bytes: the prefix followed by the path "
          + "relative to the watched directory (e.g. gs://bucket/media/ when the directory is synced "
          + "there). Blank: a file: URI of the absolute path, which Sieve's fetch policy refuses "
          + "unless it can read that path.");
  public static final Field SOURCE = Field.create("event.source", Type.STRING, EVENTS)
      .withDefault("media-source-connector").withValidator(new NonEmptyStringWithoutControlChars())
      .withDisplayName("Event source").withDoc("The events' 'source' field.");
  public static final Field SCOPE = Field.create("event.scope", Type.STRING, EVENTS)
      .withDefault("").withDisplayName("Event scope")
      .withDoc("The events' de-duplication scope; blank: the global scope (null).");

  private static final List<Field> FIELDS = List.of(DIRECTORIES, INCLUDE, EXCLUDE, FOLLOW_SYMLINKS,
      STABLE_MS, POLL_INTERVAL_MS, BATCH_MAX_FILES, SIDECARS, TOPIC, INLINE_MAX_BYTES, URI_PREFIX,
      SOURCE, SCOPE, ProblemReporter.field(EVENTS));

  public static final ConfigDef DEFINITION = Field.define(SpecificAvroSerdeConfig.DEFINITION, FIELDS);

  public MediaSourceConfig(Map<String, ?> originals) {
    super(DEFINITION, originals, false);
  }

  public List<Path> directories() {
    return getList(DIRECTORIES.name()).stream().map(d -> Path.of(d).toAbsolutePath().normalize()).toList();
  }

  public List<String> include() {
    return getList(INCLUDE.name());
  }

  public List<String> exclude() {
    return getList(EXCLUDE.name());
  }

  public boolean followSymlinks() {
    return getBoolean(FOLLOW_SYMLINKS.name());
  }

  public Duration stableFor() {
    return Duration.ofMillis(getLong(STABLE_MS.name()));
  }

  public Duration pollInterval() {
    return Duration.ofMillis(getLong(POLL_INTERVAL_MS.name()));
  }

  public int batchMaxFiles() {
    return getInt(BATCH_MAX_FILES.name());
  }

  public Set<String> sidecarExtensions() {
    return Set.copyOf(getList(SIDECARS.name()));
  }

  public String topic() {
    return getString(TOPIC.name());
  }

  public int inlineMaxBytes() {
    return getInt(INLINE_MAX_BYTES.name());
  }

  public String uriPrefix() {
    return getString(URI_PREFIX.name());
  }

  public String source() {
    return getString(SOURCE.name());
  }

  /** The scope, or null (global) when blank. */
  public String scope() {
    String scope = getString(SCOPE.name());
    return scope.isBlank() ? null : scope;
  }

  public String problemsTopic() {
    return getString(ProblemReporter.TOPIC);
  }

  /** Only the sidecar kinds the reader knows. */
  private static final class SidecarExtensions implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      Validators.subsetOf(Set.of("TXT", "JSON")).ensureValid(name, value);
    }

    @Override
    public String toString() {
      return "any of txt, json";
    }
  }
}
