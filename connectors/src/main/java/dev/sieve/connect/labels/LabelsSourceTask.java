package dev.sieve.connect.labels;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.connect.ConnectorVersion;
import dev.sieve.connect.report.ProblemReporter;
import dev.sieve.labels.DefinitionHash;
import dev.sieve.serde.SchemaRegistryUnavailableException;
import dev.sieve.serde.SpecificAvroSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the labels topic in line with the directory: a new or changed label (by {@link
 * DefinitionHash}) is written, a label gone from the valid files gets a tombstone, and the labels
 * of an invalid file stay as they were. What has been written is the source offset (partition
 * {@code {"directory": <path>}}, offset {@code {"labels": "{id: {file, hash}}"}}), each record
 * carrying the state after it, so a restart resumes exactly where the committed records end.
 */
public final class LabelsSourceTask extends SourceTask {

  private static final Logger log = LoggerFactory.getLogger(LabelsSourceTask.class);
  static final String DIRECTORY = "directory";
  static final String LABELS = "labels";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, Written>> STATE = new TypeReference<>() {};

  /** What the topic holds for one label: its hash and the file it came from. */
  record Written(String file, String hash) {}

  private final Clock clock = Clock.systemUTC();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private LabelsSourceConfig config;
  private LabelDirectory directory;
  private ProblemReporter problems;
  private SpecificAvroSerializer<LabelDefinition> values;
  private Map<String, String> partition;
  private TreeMap<String, Written> written;
  private long nextReadMillis;

  @Override
  public String version() {
    return ConnectorVersion.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new LabelsSourceConfig(props);
    directory = new LabelDirectory(config.directory(), config.include());
    problems = new ProblemReporter(props.getOrDefault("name", "labels-source"), config.problemsTopic(), clock);
    values = new SpecificAvroSerializer<>();
    values.configure(config.originals(), false);
    partition = Map.of(DIRECTORY, config.directory().toString());
    Map<String, Object> offset = context.offsetStorageReader().offset(partition);
    written = offset == null ? new TreeMap<>() : parse((String) offset.get(LABELS));
    log.info("Labels of {} → {}; {} labels written before", config.directory(), config.topic(), written.size());
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    long wait = nextReadMillis - clock.millis();
    if (wait > 0 && stopping.await(wait, TimeUnit.MILLISECONDS)) {
      return null;
    }
    nextReadMillis = clock.millis() + config.pollInterval().toMillis();
    LabelDirectory.Contents contents = directory.read();
    List<SourceRecord> records = new ArrayList<>();
    contents.problems().forEach(p -> problems.report(p).ifPresent(records::add));
    contents.validFiles().forEach(f -> problems.resolved(f.toString()));

    for (var entry : contents.labels().entrySet()) {
      LabelDefinition definition = entry.getValue().definition();
      String file = entry.getValue().file();
      String hash = DefinitionHash.of(definition);
      Written before = written.get(entry.getKey());
      if (before != null && before.hash().equals(hash)) {
        written.put(entry.getKey(), new Written(file, hash)); // Moved between files: nothing to write.
        continue;
      }
      LabelDefinition stamped = LabelDefinition.newBuilder(definition)
          .setChangedBy(config.changedBy()).setChangedAt(clock.instant()).build();
      byte[] value;
      try {
        value = values.serialize(config.topic(), stamped);
      } catch (SchemaRegistryUnavailableException e) {
        // What is written so far carries its state; the rest follows in a later poll.
        log.warn("Schema registry unavailable; the remaining label changes follow later: {}", e.getMessage());
        return records;
      }
      written.put(entry.getKey(), new Written(file, hash));
      records.add(record(entry.getKey(), value));
    }
    for (String id : List.copyOf(written.keySet())) {
      Written before = written.get(id);
      boolean keep = contents.labels().containsKey(id) || contents.invalidFiles().contains(before.file())
          || contents.invalidFiles().contains("*");
      if (!keep) {
        written.remove(id);
        records.add(record(id, null));
      }
    }
    if (!records.isEmpty()) {
      log.info("{} label records for {}", records.size(), config.topic());
    }
    return records;
  }

  /** A label record (a tombstone when {@code value} is null) carrying the state after it. */
  private SourceRecord record(String id, byte[] value) {
    return new SourceRecord(partition, Map.of(LABELS, serialize(written)), config.topic(), null,
        Schema.STRING_SCHEMA, id, Schema.OPTIONAL_BYTES_SCHEMA, value, clock.millis());
  }

  private static String serialize(TreeMap<String, Written> state) {
    try {
      return JSON.writeValueAsString(state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TreeMap<String, Written> parse(String state) {
    try {
      return JSON.readValue(state, STATE);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable source offset of the labels source: " + state, e);
    }
  }

  @Override
  public void stop() {
    stopping.countDown();
  }
}
