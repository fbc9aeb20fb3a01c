package dev.sieve.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checks catch drift: the dev overlay, rendered once, is changed the way a careless edit or an
 * application change would change it, and the violation that names the change must appear.
 */
class DriftTest {

  private static List<JsonNode> rendered;

  @BeforeAll
  static void render() {
    rendered = Kustomize.fromSystemProperties().render(Overlay.DEV.directory());
  }

  static Stream<Arguments> drifts() {
    return Stream.of(
        drift("readiness probe on another path",
            docs -> container(docs).withObjectProperty("readinessProbe").withObjectProperty("httpGet").put("path", "/ready"),
            "readiness probe must be GET /health/ready on port 'http', is /ready on http"),
        drift("compaction dropped from the labels topic",
            docs -> ((ObjectNode) object(docs, "KafkaTopic", "sieve.labels").at("/spec/config")).remove("cleanup.policy"),
            "KafkaTopic sieve.labels has cleanup.policy delete, the app needs compact"),
        drift("misspelt field in a Strimzi resource",
            docs -> ((ObjectNode) object(docs, "KafkaTopic", "media.events").get("spec")).put("partitons", 3),
            "KafkaTopic media.events.spec: unknown field(s) [partitons]"),
        drift("misspelt field in a fabric8 resource",
            docs -> container(docs).put("imagePullPolicyy", "Always"),
            "StatefulSet sieve.spec.template.spec.containers[0]: unknown field(s) [imagePullPolicyy]"),
        drift("field Strimzi's v1 API no longer has",
            docs -> object(docs, "Kafka", "sieve-kafka").withObjectProperty("spec").withObjectProperty("kafka").put("replicas", 3),
            "Kafka sieve-kafka.spec.kafka.replicas: deprecated field"),
        drift("misspelt field in KEDA's resource",
            docs -> object(docs, "ScaledObject", "sieve").withObjectProperty("spec").put("maxReplicas", 3),
            "Unrecognized field \"maxReplicas\""),
        drift("more replicas than input partitions",
            docs -> object(docs, "ScaledObject", "sieve").withObjectProperty("spec").put("maxReplicaCount", 5),
            "ScaledObject maxReplicaCount is 5, media.events has 3 partitions"),
        drift("input topic renamed in the app's settings only",
            docs -> env(docs, "SIEVE_TOPIC_EVENTS", "uploads"),
            "no KafkaTopic uploads"),
        drift("HTTP port changed in the app's settings only",
            docs -> env(docs, "SIEVE_HTTP_PORT", "9090"),
            "container port 'http' is 8080, sieve.http.port is 9090"),
        drift("unknown Sieve setting",
            docs -> env(docs, "SIEVE_HTTP_PORTT", "8080"),
            "the pod's environment is not a valid configuration: sieve.http.portt: unknown Sieve setting"),
        drift("misspelt Kafka setting",
            docs -> env(docs, "KAFKA_NUM_STANDBY_REPLICA", "1"),
            "KAFKA_NUM_STANDBY_REPLICA sets num.standby.replica, which is no Kafka Streams or client setting"),
        drift("application.server under another Service",
            docs -> env(docs, "KAFKA_APPLICATION_SERVER", "$(POD_NAME).sieve.$(POD_NAMESPACE).svc:8080"),
            "application.server of the first pod is sieve-0.sieve.sieve.svc:8080, should be its name under the "
                + "headless Service, sieve-0.sieve-headless.sieve.svc:8080"),
        drift("state directory off the volume",
            docs -> env(docs, "KAFKA_STATE_DIR", "/home/sieve/state"),
            "state.dir /home/sieve/state is not on a volume claim template"),
        drift("connector class misspelt",
            docs -> object(docs, "KafkaConnector", "sieve-labels-source").withObjectProperty("spec")
                .put("class", "dev.sieve.connect.labels.LabelSourceConnector"),
            "KafkaConnectors run [dev.sieve.connect.labels.LabelSourceConnector, "),
        drift("connector option its connector does not define",
            docs -> connectorConfig(docs, "sieve-media-source").put("directory", "/var/lib/sieve-connect/media"),
            "KafkaConnector sieve-media-source sets directory, which MediaSourceConnector does not define"),
        drift("connector option its connector rejects",
            docs -> connectorConfig(docs, "sieve-moderation-actions").put("verdicts", "BLOCK,DELETE"),
            "KafkaConnector sieve-moderation-actions option verdicts: "),
        drift("media source writing a topic the app does not read",
            docs -> connectorConfig(docs, "sieve-media-source").put("topic", "media.uploads"),
            "KafkaConnector sieve-media-source writes media.uploads, the app reads media.events"),
        drift("sink dead-lettering to an undeclared topic",
            docs -> connectorConfig(docs, "sieve-moderation-actions").put("errors.deadletterqueue.topic.name", "actions.dlq"),
            "KafkaConnector sieve-moderation-actions dead-letters to actions.dlq, which no KafkaTopic declares"),
        drift("Strimzi resource in the API version Strimzi 1.0 removed",
            docs -> object(docs, "KafkaUser", "sieve").put("apiVersion", "kafka.strimzi.io/v1beta2"),
            "KafkaUser sieve: no model for apiVersion kafka.strimzi.io/v1beta2"),
        drift("Gemini provider with its key optional",
            docs -> env(docs, "SIEVE_EMBED_PROVIDER", "gemini"),
            "the Gemini provider needs GEMINI_API_KEY from a Secret, not optional"),
        drift("bootstrap on the mutual-TLS listener with SCRAM settings",
            docs -> env(docs, "KAFKA_BOOTSTRAP_SERVERS", "sieve-kafka-kafka-bootstrap:9093"),
            "listener tls needs security.protocol SSL, the app has SASL_SSL"),
        drift("PEM cluster CA read as a PKCS12 truststore",
            docs -> env(docs, "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12"),
            "ssl.truststore.location /etc/sieve/kafka-ca/ca.crt needs ssl.truststore.type PEM, the app has PKCS12"),
        drift("truststore on a volume other than the cluster CA",
            docs -> env(docs, "KAFKA_SSL_TRUSTSTORE_LOCATION", "/tmp/ca.crt"),
            "ssl.truststore.location /tmp/ca.crt is not on a volume of the Secret sieve-kafka-cluster-ca-cert"),
        drift("Connect on the mutual-TLS listener with SCRAM",
            docs -> object(docs, "KafkaConnect", "sieve-connect").withObjectProperty("spec")
                .put("bootstrapServers", "sieve-kafka-kafka-bootstrap:9093"),
            "KafkaConnect sieve-connect and listener tls disagree on SCRAM-SHA-512"),
        drift("ACL for the transactional ids dropped",
            docs -> {
              ArrayNode acls = (ArrayNode) object(docs, "KafkaUser", "sieve").at("/spec/authorization/acls");
              acls.remove(acls.size() - 1);
            },
            "KafkaUser sieve may not use transactional ids sieve-* (exactly_once_v2)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("drifts")
  void driftIsReported(String drift, Consumer<List<JsonNode>> change, String violation) {
    List<JsonNode> changed = new ArrayList<>();
    rendered.forEach(document -> changed.add(document.deepCopy()));
    change.accept(changed);

    assertThat(violations(changed)).anySatisfy(found -> assertThat(found).contains(violation));
  }

  @Test
  void anImageTheBuildDoesNotPushIsReported() {
    var expected = Overlay.DEV.expectation();
    var other = new DeploymentAgreement.Expectation(expected.image().replaceAll(":[^:]+$", ":9.9.9"), "9.9.9",
        expected.minStandbyReplicas(), expected.outOfBandSecrets());

    assertThat(DeploymentAgreement.violations(new RenderedManifests(rendered), other)).contains(
        "image is " + expected.image() + ", the build pushes " + other.image(),
        "KafkaConnect sieve-connect does not build in sieve-connectors-9.9.9-plugin.zip");
  }

  private static List<String> violations(List<JsonNode> documents) {
    RenderedManifests manifests = new RenderedManifests(documents);
    List<String> all = new ArrayList<>(manifests.violations());
    all.addAll(DeploymentAgreement.violations(manifests, Overlay.DEV.expectation()));
    return all;
  }

  private static Arguments drift(String name, Consumer<List<JsonNode>> change, String violation) {
    return Arguments.of(name, change, violation);
  }

  private static ObjectNode object(List<JsonNode> documents, String kind, String name) {
    return (ObjectNode) documents.stream()
        .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
  }

  private static ObjectNode connectorConfig(List<JsonNode> docs, String name) {
    return object(docs, "KafkaConnector", name).withObjectProperty("spec").withObjectProperty("config");
  }

  private static ObjectNode container(List<JsonNode> documents) {
    return (ObjectNode) object(documents, "StatefulSet", "sieve").at("/spec/template/spec/containers/0");
  }

  /** Sets (or adds) one environment variable of the app's container. */
  private static void env(List<JsonNode> documents, String name, String value) {
    ArrayNode env = (ArrayNode) container(documents).get("env");
    for (JsonNode variable : env) {
      if (name.equals(variable.path("name").asText())) {
        ((ObjectNode) variable).put("value", value);
        return;
      }
    }
    env.addObject().put("name", name).put("value", value);
  }
}
