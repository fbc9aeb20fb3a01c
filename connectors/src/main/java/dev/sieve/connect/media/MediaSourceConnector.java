package dev.sieve.connect.media;

import dev.sieve.connect.ConnectorVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Files → {@code media.events}: watches directories and emits one Sieve {@code MediaEvent} per new
 * or changed file (Confluent wire format, bytes for a ByteArrayConverter). Options: {@link
 * MediaSourceConfig}. Supports exactly-once source mode.
 */
public final class MediaSourceConnector extends SourceConnector {

  private Map<String, String> props;
  private List<Path> directories;

  @Override
  public String version() {
    return ConnectorVersion.get();
  }

  @Override
  public void start(Map<String, String> props) {
    this.props = Map.copyOf(props);
    this.directories = new MediaSourceConfig(props).directories();
  }

  @Override
  public Class<? extends Task> taskClass() {
    return MediaSourceTask.class;
  }

  /** Deals the directories out to at most {@code maxTasks} tasks. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    int tasks = Math.min(maxTasks, directories.size());
    List<List<String>> shares = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      shares.add(new ArrayList<>());
    }
    for (int i = 0; i < directories.size(); i++) {
      shares.get(i % tasks).add(directories.get(i).toString());
    }
    return shares.stream().map(share -> {
      Map<String, String> task = new HashMap<>(props);
      task.put(MediaSourceConfig.DIRECTORIES.name(), String.join(",", share));
      return Map.copyOf(task);
    }).toList();
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return MediaSourceConfig.DEFINITION;
  }

  /** Offsets and records are written together by the worker; nothing else is needed. */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.SUPPORTED;
  }
}
