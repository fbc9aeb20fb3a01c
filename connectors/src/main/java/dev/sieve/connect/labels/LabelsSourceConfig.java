package dev.sieve.connect.labels;

import dev.sieve.connect.config.Field;
import dev.sieve.connect.config.Validators;
import dev.sieve.connect.report.ProblemReporter;
import dev.sieve.serde.SpecificAvroSerdeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyStringWithoutControlChars;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Options of {@link LabelsSourceConnector}; the registry settings are those of Sieve's serde. */
public final class LabelsSourceConfig extends AbstractConfig {

  private static final String FILES = "Files";
  private static final String LABELS = "Labels";

  public static final Field DIRECTORY = Field.create("directory", Type.STRING, FILES)
      .withValidator(new NonEmptyStringWithoutControlChars()).withImportance(Importance.HIGH)
      .withDisplayName("Directory")
      .withDoc("Directory of label YAML files, in the format of 'sieve labels apply' (example files "
          + "are resolved against it). Label ids must be unique across its files.");
  public static final Field INCLUDE = Field.create("include", Type.LIST, FILES)
      .withDefault("*.yaml,*.yml").withValidator(Validators.globs()).withDisplayName("Include globs")
      .withDoc("Globs over file names in the directory (not recursive) that hold labels.");
  public static final Field POLL_INTERVAL_MS = Field.create("poll.interval.ms", Type.LONG, FILES)
      .withDefault(2_000L).withValidator(Range.atLeast(10)).withDisplayName("Poll interval (ms)")
      .withDoc("How often the directory is read for changes.");
  public static final Field TOPIC = Field.create("topic", Type.STRING, LABELS)
      .withDefault("sieve.labels").withValidator(new NonEmptyStringWithoutControlChars())
      .withImportance(Importance.HIGH).withDisplayName("Topic")
      .withDoc("The compacted labels topic (Sieve's sieve.topic.labels).");
  public static final Field CHANGED_BY = Field.create("changed.by", Type.STRING, LABELS)
      .withDefault("labels-source-connector").withValidator(new NonEmptyStringWithoutControlChars())
      .withDisplayName("Changed by").withDoc("The 'changedBy' stamped on every label written.");

  private static final List<Field> FIELDS = List.of(DIRECTORY, INCLUDE, POLL_INTERVAL_MS, TOPIC, CHANGED_BY,
      ProblemReporter.field(LABELS));

  public static final ConfigDef DEFINITION = Field.define(SpecificAvroSerdeConfig.DEFINITION, FIELDS);

  public LabelsSourceConfig(Map<String, ?> originals) {
    super(DEFINITION, originals, false);
  }

  public Path directory() {
    return Path.of(getString(DIRECTORY.name())).toAbsolutePath().normalize();
  }

  public List<String> include() {
    return getList(INCLUDE.name());
  }

  public Duration pollInterval() {
    return Duration.ofMillis(getLong(POLL_INTERVAL_MS.name()));
  }

  public String topic() {
    return getString(TOPIC.name());
  }

  public String changedBy() {
    return getString(CHANGED_BY.name());
  }

  public String problemsTopic() {
    return getString(ProblemReporter.TOPIC);
  }
}
