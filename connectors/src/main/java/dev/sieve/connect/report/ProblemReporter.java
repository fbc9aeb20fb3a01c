package dev.sieve.connect.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sieve.connect.config.Field;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the {@link Problem}s of a source task: always to the log, and, when {@value #TOPIC} is
 * set, as a JSON record on that topic (key: the file), written with the task's other records (so
 * in the same transaction in exactly-once mode). A problem is reported once until
 * the file is dealt with ({@link #resolved}), so a file that stays unreadable does not flood the
 * topic.
 */
public final class ProblemReporter {

  public static final String TOPIC = "problems.topic";

  /** The option, shared by every source connector. */
  public static Field field(String group) {
    return Field.create(TOPIC, Type.STRING, group).withDefault("").withImportance(Importance.MEDIUM)
        .withDisplayName("Problems topic")
        .withDoc("Topic that receives one JSON record per problem with an input (file, line, reason, "
            + "message; key: the file). Blank: problems are only logged. The worker's value converter "
            + "must pass bytes through (ByteArrayConverter).");
  }

  private static final Logger log = LoggerFactory.getLogger(ProblemReporter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String connector;
  private final String topic;
  private final Clock clock;
  private final Map<String, Set<Problem>> open = new HashMap<>();

  public ProblemReporter(String connector, String topic, Clock clock) {
    this.connector = connector;
    this.topic = topic == null ? "" : topic.trim();
    this.clock = clock;
  }

  /** Logs {@code problem} and gives the record to write, unless the same problem is already reported. */
  public Optional<SourceRecord> report(Problem problem) {
    if (!open.computeIfAbsent(problem.file(), f -> new HashSet<>()).add(problem)) {
      return Optional.empty();
    }
    log.warn("{}: {}", connector, problem);
    if (topic.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode value = JSON.createObjectNode()
        .put("connector", connector)
        .put("file", problem.file())
        .put("line", problem.line())
        .put("reason", problem.reason())
        .put("message", problem.message())
        .put("reportedAt", clock.instant().toString());
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree of strings always serializes", e);
    }
    // No source partition: reports carry no progress to resume from.
    return Optional.of(new SourceRecord(null, null, topic, null, Schema.STRING_SCHEMA, problem.file(),
        Schema.BYTES_SCHEMA, bytes, clock.millis()));
  }

  /** {@code file} was dealt with: report it again if it goes wrong again. */
  public void resolved(String file) {
    open.remove(file);
  }
}
