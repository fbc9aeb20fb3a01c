package dev.sieve.connect.labels;

import dev.sieve.connect.ConnectorVersion;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Labels as code → {@code sieve.labels}: keeps the labels topic in line with a directory of label
 * YAML files (the format of {@code sieve labels apply}). One task: the directory is one unit.
 * Options: {@link LabelsSourceConfig}.
 */
public final class LabelsSourceConnector extends SourceConnector {

  private Map<String, String> props;

  @Override
  public String version() {
    return ConnectorVersion.get();
  }

  @Override
  public void start(Map<String, String> props) {
    new LabelsSourceConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return LabelsSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return List.of(props);
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return LabelsSourceConfig.DEFINITION;
  }

  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.SUPPORTED;
  }
}
