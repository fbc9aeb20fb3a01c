package dev.sieve.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything logged while it is open, at every level for Sieve and INFO and above for Kafka (whose
 * DEBUG would drown the rest): through Log4j (Sieve and Kafka, via SLF4J) and
 * java.util.logging (Google's libraries, OkHttp), with stack traces.
 */
public final class CapturedLogs implements AutoCloseable {

  private final List<String> lines = new ArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender;
  private final Handler handler;
  private final java.util.logging.Level julLevel;
  private final Level rootLevel;
  private final Level sieveLevel;
  private final Level apacheLevel;
  private final Level kafkaLevel;

  public CapturedLogs() {
    appender = new AbstractAppender("captured", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        add(event.getMessage().getFormattedMessage(), event.getThrown());
      }
    };
    appender.start();
    Configuration config = context.getConfiguration();
    LoggerConfig root = config.getRootLogger();
    LoggerConfig sieve = config.getLoggerConfig("dev.sieve");
    rootLevel = root.getLevel();
    sieveLevel = sieve.getLevel();
    apacheLevel = config.getLoggerConfig("org.apache").getLevel();
    kafkaLevel = config.getLoggerConfig("kafka").getLevel();
    root.addAppender(appender, Level.ALL, null);
    root.setLevel(Level.ALL);
    sieve.setLevel(Level.ALL);
    // Kafka's clients and broker log their configuration at INFO: that is where secrets would show.
    config.getLoggerConfig("org.apache").setLevel(Level.INFO);
    config.getLoggerConfig("kafka").setLevel(Level.INFO);
    context.updateLoggers();
    handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        add(String.valueOf(record.getMessage()), record.getThrown());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    handler.setLevel(java.util.logging.Level.ALL);
    java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    julLevel = julRoot.getLevel();
    julRoot.setLevel(java.util.logging.Level.ALL);
    julRoot.addHandler(handler);
  }

  private synchronized void add(String message, Throwable thrown) {
    StringBuilder line = new StringBuilder(message);
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      line.append(" | ").append(t);
    }
    lines.add(line.toString());
  }

  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    config.getRootLogger().removeAppender("captured");
    config.getRootLogger().setLevel(rootLevel);
    config.getLoggerConfig("dev.sieve").setLevel(sieveLevel);
    config.getLoggerConfig("org.apache").setLevel(apacheLevel);
    config.getLoggerConfig("kafka").setLevel(kafkaLevel);
    context.updateLoggers();
    java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    julRoot.removeHandler(handler);
    julRoot.setLevel(julLevel);
  }
}
