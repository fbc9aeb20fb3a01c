package dev.sieve.connect.moderation;

import dev.sieve.connect.ConnectorVersion;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Verdicts → webhooks: consumes {@code media.moderation} (and optionally {@code media.duplicates})
 * and POSTs a signed JSON action per selected verdict. Options: {@link ModerationActionSinkConfig}.
 */
public final class ModerationActionSinkConnector extends SinkConnector {

  private Map<String, String> props;

  @Override
  public String version() {
    return ConnectorVersion.get();
  }

  @Override
  public void start(Map<String, String> props) {
    new ModerationActionSinkConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return ModerationActionSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return Collections.nCopies(maxTasks, props);
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return ModerationActionSinkConfig.DEFINITION;
  }
}
