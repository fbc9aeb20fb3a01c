package dev.sieve.connect.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.DuplicateKind;
import dev.sieve.avro.ModerationHit;
import dev.sieve.avro.ModerationResult;
import dev.sieve.avro.Verdict;
import dev.sieve.connect.worker.ConnectWorker;
import dev.sieve.connect.worker.Topics;
import dev.sieve.runtime.EmbeddedKafkaBroker;
import dev.sieve.serde.SpecificAvroSerializer;
import dev.sieve.testing.BuildDirTempDirFactory;
import dev.sieve.testing.SharedKafkaBroker;
import dev.sieve.testing.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The moderation action sink in a standalone worker against a local webhook that fails on purpose. */
@ExtendWith(SharedKafkaBroker.class)
class ModerationActionSinkConnectorTest {

  private static final String SECRET = "s3cret-shared-with-the-receiver";

  @TempDir(factory = BuildDirTempDirFactory.class)
  static Path workerDir;

  private static ConnectWorker worker;
  private String connector;
  private WebhookReceiver receiver;

  @BeforeAll
  static void startWorker(EmbeddedKafkaBroker broker) {
    worker = ConnectWorker.standalone(broker, workerDir.resolve("offsets"));
  }

  @AfterAll
  static void stopWorker() {
    worker.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (connector != null) {
      worker.delete(connector);
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void aBlockVerdictIsDeliveredOnceAfterTheReceiverFailedTwice(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    receiver = new WebhookReceiver(SECRET, (key, attempt) -> attempt <= 2 ? 503 : 200);
    Sink sink = start(broker, test, Map.of());
    ModerationResult e1Verdict = verdict("e1", Verdict.BLOCK, hit("threats", 0.8f, Verdict.BLOCK));
    e1Verdict.setAttributes(Map.of("author", "u42", "url", "https://example.org/p/1"));
    sink.send(sink.moderation, "e1", e1Verdict);
    sink.send(sink.moderation, "e2", verdict("e2", Verdict.ALLOW));
    sink.send(sink.moderation, "e3", verdict("e3", Verdict.REVIEW, hit("threats", 0.5f, Verdict.REVIEW)));
    sink.send(sink.moderation, "e4", verdict("e4", Verdict.BLOCK, hit("spam", 0.9f, Verdict.BLOCK)));

    ConnectWorker.await("e4 delivered", () -> receiver.accepted().size() == 2);

    assertThat(receiver.accepted()).extracting(WebhookReceiver.Accepted::idempotencyKey).containsExactly("e1", "e4");
    assertThat(receiver.attempts("e1")).isEqualTo(3);
    assertThat(receiver.attempts("e2")).isZero();
    assertThat(receiver.attempts("e3")).isZero();
    WebhookReceiver.Accepted e1 = receiver.accepted().get(0);
    assertThat(e1.signatureValid()).isTrue();
    assertThat(e1.action()).isEqualTo("moderation");
    JsonNode body = Topics.json(e1.body().getBytes(StandardCharsets.UTF_8));
    assertThat(body.get("eventId").asText()).isEqualTo("e1");
    assertThat(body.get("verdict").asText()).isEqualTo("BLOCK");
    assertThat(body.get("labels").toString()).isEqualTo("[\"threats\"]");
    assertThat(body.get("scores").get("threats").floatValue()).isEqualTo(0.8f);
    assertThat(body.get("hits").get(0).get("threshold").floatValue()).isEqualTo(0.6f);
    assertThat(body.get("attributes")).isEqualTo(Topics.json(
        "{\"author\":\"u42\",\"url\":\"https://example.org/p/1\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(body.get("record").get("topic").asText()).isEqualTo(sink.moderation);
    JsonNode e4 = Topics.json(receiver.accepted().get(1).body().getBytes(StandardCharsets.UTF_8));
    assertThat(e4.get("attributes").toString()).as("a verdict without attributes").isEqualTo("{}");
  }

  @Test
  void aRefusedActionGoesToTheDeadLetterQueueWithTheResponse(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    receiver = new WebhookReceiver(SECRET, (key, attempt) -> key.equals("refused") ? 422 : 200);
    Sink sink = start(broker, test, Map.of());
    sink.send(sink.moderation, "refused", verdict("refused", Verdict.BLOCK, hit("threats", 0.8f, Verdict.BLOCK)));
    sink.send(sink.moderation, "after", verdict("after", Verdict.BLOCK, hit("threats", 0.8f, Verdict.BLOCK)));

    List<ConsumerRecord<String, byte[]>> dead = Topics.read(broker, sink.deadLetters, 1);

    assertThat(dead).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("refused");
      assertThat(header(r, "__connect.errors.exception.message"))
          .isEqualTo("action refused not delivered: HTTP 422 from " + receiver.url() + ": answer 422 to attempt 1");
    });
    ConnectWorker.await("the next action delivered", () -> receiver.accepted().size() == 1);
    assertThat(receiver.attempts("refused")).isEqualTo(1);
    assertThat(receiver.accepted()).extracting(WebhookReceiver.Accepted::idempotencyKey).containsExactly("after");
  }

  @Test
  void anEndpointThatKeepsFailingSendsTheRecordToTheDeadLetterQueueAfterTheRetries(
      EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    receiver = new WebhookReceiver(SECRET, (key, attempt) -> 500);
    Sink sink = start(broker, test, Map.of("retries", "2"));
    sink.send(sink.moderation, "e1", verdict("e1", Verdict.BLOCK, hit("threats", 0.8f, Verdict.BLOCK)));

    List<ConsumerRecord<String, byte[]>> dead = Topics.read(broker, sink.deadLetters, 1);

    assertThat(header(dead.get(0), "__connect.errors.exception.message"))
        .isEqualTo("action e1 not delivered: HTTP 500 from " + receiver.url() + ": answer 500 to attempt 3 (after 3 attempts)");
    assertThat(receiver.attempts("e1")).isEqualTo(3);
  }

  @Test
  void duplicateFlagsAndUndecodableRecordsAreHandledByKind(EmbeddedKafkaBroker broker, TestInfo test) throws Exception {
    receiver = new WebhookReceiver(SECRET, (key, attempt) -> 204);
    Sink sink = start(broker, test, Map.of("duplicate.kinds", "NEAR"));
    sink.send(sink.duplicates, "d1", DuplicateFlag.newBuilder().setEventId("d1").setIsDuplicate(true)
        .setKind(DuplicateKind.NEAR).setDuplicateOf("d0").setSimilarity(0.97f).build());
    sink.send(sink.duplicates, "d2", DuplicateFlag.newBuilder().setEventId("d2").setIsDuplicate(true)
        .setKind(DuplicateKind.EXACT).setDuplicateOf("d0").setSimilarity(1f).build());
    sink.sendBytes(sink.moderation, "garbage", "not avro".getBytes(StandardCharsets.UTF_8));

    List<ConsumerRecord<String, byte[]>> dead = Topics.read(broker, sink.deadLetters, 1);

    assertThat(dead).singleElement().extracting(ConsumerRecord::key).isEqualTo("garbage");
    ConnectWorker.await("d1 delivered", () -> receiver.accepted().size() == 1);
    WebhookReceiver.Accepted d1 = receiver.accepted().get(0);
    assertThat(d1.idempotencyKey()).isEqualTo("d1:duplicate");
    assertThat(d1.action()).isEqualTo("duplicate");
    JsonNode body = Topics.json(d1.body().getBytes(StandardCharsets.UTF_8));
    assertThat(body.get("duplicateOf").asText()).isEqualTo("d0");
    assertThat(body.get("kind").asText()).isEqualTo("NEAR");
    assertThat(receiver.attempts("d2:duplicate")).isZero();
  }

  static ModerationResult verdict(String id, Verdict verdict, ModerationHit... hits) {
    return ModerationResult.newBuilder().setEventId(id).setVerdict(verdict).setHits(List.of(hits)).build();
  }

  static ModerationHit hit(String label, float score, Verdict action) {
    return ModerationHit.newBuilder().setLabel(label).setScore(score)
        .setThreshold(action == Verdict.BLOCK ? 0.6f : 0.4f).setAction(action).build();
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private Sink start(EmbeddedKafkaBroker broker, TestInfo test, Map<String, String> overrides) throws Exception {
    Sink sink = new Sink(broker, TopicNames.unique(test, "sink"), TopicNames.unique(test, "moderation"),
        TopicNames.unique(test, "duplicates"), TopicNames.unique(test, "dlq"), "mem://" + TopicNames.unique(test, "registry"));
    Topics.create(broker, sink.moderation, sink.duplicates, sink.deadLetters);
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ModerationActionSinkConnector.class.getName());
    config.put("topics", sink.moderation + "," + sink.duplicates);
    config.put("webhook.url", receiver.url());
    config.put("webhook.secret", SECRET);
    config.put("schema.registry.url", sink.registry);
    config.put("retry.backoff.ms", "20");
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", sink.deadLetters);
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    config.put("consumer.override.auto.offset.reset", "earliest");
    config.putAll(overrides);
    connector = sink.name;
    worker.start(sink.name, config);
    return sink;
  }

  /** One connector of a test and its topics. */
  private record Sink(EmbeddedKafkaBroker broker, String name, String moderation, String duplicates,
      String deadLetters, String registry) {

    void send(String topic, String key, SpecificRecord value) throws Exception {
      SpecificAvroSerializer<SpecificRecord> serializer = new SpecificAvroSerializer<>();
      serializer.configure(Map.of("schema.registry.url", registry), false);
      sendBytes(topic, key, serializer.serialize(topic, value));
    }

    void sendBytes(String topic, String key, byte[] value) throws Exception {
      try (var producer = new KafkaProducer<>(broker.clientConfig(), new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
      }
    }
  }
}
