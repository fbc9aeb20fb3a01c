package dev.sieve.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;

/**
 * The first thing Sieve does with a Kafka cluster: one request through an admin client made from
 * Sieve's client settings, so that a cluster that refuses those settings (wrong password, missing
 * or untrusted certificate) or never answers them (wrong address, or a listener speaking another
 * {@code security.protocol}) stops start-up with one message naming the address, the protocol and
 * the cause. Left to themselves, Kafka Streams' clients retry the latter for minutes.
 */
public final class ClusterAccess {

  private ClusterAccess() {}

  /**
   * Makes an admin client from {@code adminConfig} and asks the cluster for its id, waiting at
   * most the client's {@code default.api.timeout.ms}.
   *
   * @throws IllegalStateException if the client cannot be made (a keystore that cannot be read,
   *     say), or the cluster refused it or did not answer in time; its cause is Kafka's error
   */
  public static void verify(Map<String, Object> adminConfig) {
    long timeoutMs = (Integer) AdminClientConfig.configDef().parse(adminConfig)
        .get(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    try (Admin admin = Admin.create(adminConfig)) {
      // The admin client gives up after default.api.timeout.ms; the get's own bound is a backstop.
      admin.describeCluster().clusterId().get(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
    } catch (KafkaException e) {
      if (e.getCause() instanceof ConfigException invalid) {
        throw invalid;
      }
      throw failure(adminConfig, e, timeoutMs);
    } catch (ExecutionException e) {
      throw failure(adminConfig, e.getCause(), timeoutMs);
    } catch (TimeoutException e) {
      throw failure(adminConfig, e, timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while connecting to Kafka at " + servers(adminConfig), e);
    }
  }

  private static IllegalStateException failure(Map<String, Object> clientConfig, Throwable error, long timeoutMs) {
    String where = "Kafka at " + servers(clientConfig) + " (security.protocol="
        + clientConfig.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
            CommonClientConfigs.DEFAULT_SECURITY_PROTOCOL) + ")";
    if (error instanceof TimeoutException || error instanceof org.apache.kafka.common.errors.TimeoutException) {
      return new IllegalStateException(where + " did not answer within " + timeoutMs + " ms ("
          + AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG + "): is the address right, and does that listener "
          + "speak this security.protocol? " + describe(error), error);
    }
    return new IllegalStateException("Could not connect to " + where + ": " + describe(error), error);
  }

  private static Object servers(Map<String, Object> clientConfig) {
    return clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
  }

  /** Each distinct message along the cause chain, e.g. {@code SslAuthenticationException: ...: bad_certificate}. */
  private static String describe(Throwable error) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && messages.stream().noneMatch(seen -> seen.contains(message))) {
        messages.add(message);
      }
    }
    return error.getClass().getSimpleName() + ": " + String.join(": ", messages);
  }
}
