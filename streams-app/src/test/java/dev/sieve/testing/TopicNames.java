package dev.sieve.testing;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.TestInfo;

/** Topic names no other test of the run uses, so tests can share one broker. */
public final class TopicNames {

  private static final AtomicInteger sequence = new AtomicInteger();

  private TopicNames() {}

  /** A name like {@code input-readsWhatWasWritten-7}: role, test method, sequence number. */
  public static String unique(TestInfo test, String role) {
    String method = test.getTestMethod().map(Method::getName).orElse("test");
    String name = role + "-" + method + "-" + sequence.incrementAndGet();
    // Kafka allows only [a-zA-Z0-9._-] in topic names.
    return name.replaceAll("[^a-zA-Z0-9._-]", "_");
  }
}
