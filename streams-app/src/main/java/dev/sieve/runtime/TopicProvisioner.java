package dev.sieve.runtime;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Sieve needs before anything produces to them, and returns only once every
 * partition has a leader: producing right after creating a topic can wedge an idempotent
 * producer until its delivery timeout (KAFKA-15591). Topics that exist already are kept as they
 * are, so provisioning is idempotent.
 */
public final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

  private final Admin admin;
  private final Duration timeout;

  /** Provisions through {@code admin}; each {@link #provision} gives up after {@code timeout}. */
  public TopicProvisioner(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  /** {@link #provision(Collection)} for the given topics. */
  public void provision(TopicSpec... topics) {
    provision(List.of(topics));
  }

  /**
   * Creates the missing topics among {@code topics} and waits until every partition of every one
   * of them has a leader. An existing topic with fewer partitions than requested is logged as a
   * warning, not changed.
   *
   * @throws IllegalStateException if a topic cannot be created or is not ready within the timeout
   */
  public void provision(Collection<TopicSpec> topics) {
    Deadline deadline = Deadline.after(timeout);
    try {
      createMissing(topics, deadline);
      Map<String, TopicDescription> ready = awaitLeaders(topics, deadline);
      topics.forEach(spec -> warnIfFewerPartitions(spec, ready.get(spec.name())));
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not provision topics " + names(topics), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while provisioning topics " + names(topics), e);
    }
  }

  private void createMissing(Collection<TopicSpec> topics, Deadline deadline)
      throws ExecutionException, InterruptedException, TimeoutException {
    CreateTopicsResult result =
        admin.createTopics(topics.stream().map(TopicSpec::toNewTopic).toList());
    for (var entry : result.values().entrySet()) {
      try {
        entry.getValue().get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
        log.info("Created topic {}", entry.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  /** Polls the topics' metadata until every partition has a leader. */
  private Map<String, TopicDescription> awaitLeaders(
      Collection<TopicSpec> topics, Deadline deadline)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<String> names = names(topics);
    while (true) {
      Map<String, TopicDescription> descriptions = describeIfKnown(names, deadline);
      if (descriptions != null
          && descriptions.values().stream().allMatch(TopicProvisioner::allPartitionsLed)) {
        return descriptions;
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /** The topics' descriptions, or null while the broker's metadata does not know them all yet. */
  private Map<String, TopicDescription> describeIfKnown(List<String> names, Deadline deadline)
      throws ExecutionException, InterruptedException, TimeoutException {
    try {
      return admin
          .describeTopics(names)
          .allTopicNames()
          .get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return null;
      }
      throw e;
    }
  }

  private static boolean allPartitionsLed(TopicDescription description) {
    return description.partitions().stream()
        .map(TopicPartitionInfo::leader)
        .allMatch(leader -> leader != null && !leader.isEmpty());
  }

  private static void warnIfFewerPartitions(TopicSpec spec, TopicDescription description) {
    int actual = description.partitions().size();
    if (actual < spec.partitions()) {
      log.warn(
          "Topic {} has {} partitions, fewer than the {} requested; it is left as it is",
          spec.name(),
          actual,
          spec.partitions());
    }
  }

  private static List<String> names(Collection<TopicSpec> topics) {
    return topics.stream().map(TopicSpec::name).toList();
  }
}
