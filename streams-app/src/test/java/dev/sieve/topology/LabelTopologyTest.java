package dev.sieve.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.dedup.DedupSettings;
import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.avro.ModerationResult;
import dev.sieve.avro.Verdict;
import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.deadletter.DeadLetterHeaders;
import dev.sieve.embed.stage.EmbedStage;
import dev.sieve.embed.stage.EmbedStageSettings;
import dev.sieve.labels.LabelEngine;
import dev.sieve.testing.AxisEmbeddingProvider;
import dev.sieve.testing.DriverTopics;
import dev.sieve.validate.EventLimits;
import dev.sieve.validate.EventValidator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Labels through the topology: compile, classify, reject, delete, recompile for a new model. */
class LabelTopologyTest {

  private static final Duration CHECK = Duration.ofSeconds(5);

  private final AxisEmbeddingProvider provider = new AxisEmbeddingProvider("m", 4);
  private TopologyTestDriver driver;
  private EmbedStage stage;
  private TestOutputTopic<String, EmbeddedMedia> embeddings;
  private SieveTopics topics;
  private TestInputTopic<byte[], byte[]> events;
  private TestInputTopic<String, LabelDefinition> labels;
  private TestInputTopic<String, LabelCentroids> centroidsIn;
  private TestOutputTopic<String, LabelCentroids> centroids;
  private TestOutputTopic<String, CategoryResult> categories;
  private TestOutputTopic<String, ModerationResult> moderation;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void startDriver() {
    SieveConfig config = new ConfigSources().defaults(Map.of(
        "bootstrap.servers", "unused:9092",
        "application.id", "label-topology-test",
        SieveConfig.TOPICS_PARTITIONS, 1, // as TopologyTestDriver runs every topic (the dedup index checks)
        SieveConfig.LABELS_CHECK_INTERVAL_MS, CHECK.toMillis(),
        SieveConfig.REGISTRY_URL, "mem://label-topology-test-" + UUID.randomUUID())).toConfig();
    topics = SieveTopics.from(config);
    stage = new EmbedStage(provider, EmbedStageSettings.DEFAULTS.withLinger(Duration.ZERO),
        topics.eventDeserializer(), () -> {
          throw new AssertionError("nothing is restored in these tests");
        });
    driver = new TopologyTestDriver(SieveTopology.build(topics, new EventValidator(EventLimits.from(config)),
        stage, LabelEngine.from(config, provider), DedupSettings.from(config)), config.streamsProperties());
    embeddings = DriverTopics.output(driver, topics.embeddings());
    events = DriverTopics.input(driver, topics.events());
    labels = DriverTopics.input(driver, topics.labels());
    centroidsIn = DriverTopics.input(driver, topics.centroids());
    centroids = DriverTopics.output(driver, topics.centroids());
    categories = DriverTopics.output(driver, topics.categories());
    moderation = DriverTopics.output(driver, topics.moderation());
    deadLetters = DriverTopics.output(driver, topics.deadLetters());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
    stage.close();
  }

  @Test
  void withoutLabelsEveryEmbeddedEventGetsUnknownAndAllowWithAReason() {
    send("e1", "v:1,0");
    var category = categories.readRecord();
    assertThat(category.key()).isEqualTo("e1");
    assertThat(category.value().getLabel()).isEqualTo("unknown");
    assertThat(category.value().getReason()).isEqualTo("no-category-labels");
    var verdict = moderation.readRecord();
    assertThat(verdict.key()).isEqualTo("e1");
    assertThat(verdict.value().getVerdict()).isEqualTo(Verdict.ALLOW);
    assertThat(verdict.value().getReason()).isEqualTo("no-moderation-labels");
  }

  @Test
  void aRejectedEventHasNoCategoryOrModerationRecord() {
    events.pipeInput("bad".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2});
    assertThat(deadLetters.readRecordsToList()).hasSize(1);
    assertThat(categories.isEmpty()).isTrue();
    assertThat(moderation.isEmpty()).isTrue();
  }

  @Test
  void anAppliedLabelIsCompiledAndClassifiesTheNextEvents() {
    labels.pipeInput("sports", category("sports", 0.5f, "v:1,0", "v:1,0.1"));
    labels.pipeInput("threats", threats(0.5f, 0.8f));
    List<LabelCentroids> compiled = centroids.readValuesToList();
    assertThat(compiled).extracting(LabelCentroids::getLabelId).containsExactly("sports", "threats");
    assertThat(compiled).extracting(LabelCentroids::getSpace).containsOnly(provider.space());
    assertThat(compiled.get(0).getVersion()).isEqualTo(0);
    assertThat(compiled.get(1).getVersion()).isEqualTo(1);

    send("e1", "v:1,0.05");
    send("e2", "v:0,1,0.1");
    send("e3", "v:0,0,1");
    List<CategoryResult> results = categories.readValuesToList();
    assertThat(results).extracting(CategoryResult::getEventId, CategoryResult::getLabel)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("e1", "sports"),
            org.assertj.core.groups.Tuple.tuple("e2", "unknown"), org.assertj.core.groups.Tuple.tuple("e3", "unknown"));
    List<ModerationResult> verdicts = moderation.readValuesToList();
    assertThat(verdicts).extracting(ModerationResult::getVerdict).containsExactly(Verdict.ALLOW, Verdict.BLOCK, Verdict.ALLOW);
    assertThat(verdicts.get(1).getHits().get(0).getNearestExample()).isEqualTo("threats#1");
    assertThat(verdicts.get(0).getReason()).isNull();
  }

  @Test
  void theEmbeddingAndTheVerdictCarryTheEventsAttributes() {
    labels.pipeInput("threats", threats(0.5f, 0.8f));
    Map<String, String> attributes = Map.of("title", "Meet me after school", "author", "u42", "url", "https://example.org/p/1");
    send("e1", "v:0,1", attributes);

    assertThat(embeddings.readValue().getAttributes()).isEqualTo(attributes);
    ModerationResult verdict = moderation.readValue();
    assertThat(verdict.getVerdict()).isEqualTo(Verdict.BLOCK);
    assertThat(verdict.getAttributes()).isEqualTo(attributes);
  }

  @Test
  void aChangedLabelClassifiesTheNextEventByItsNewDefinition() {
    labels.pipeInput("threats", threats(0.5f, 0.8f));
    send("e1", "v:0.6,0.8");
    labels.pipeInput("threats", threats(0.5f, 0.95f));
    send("e2", "v:0.6,0.8");
    assertThat(moderation.readValuesToList()).extracting(ModerationResult::getVerdict)
        .containsExactly(Verdict.BLOCK, Verdict.REVIEW);
  }

  @Test
  void anInvalidDefinitionIsDeadLetteredAndTheLastGoodOneStaysInUse() {
    labels.pipeInput("sports", category("sports", 0.5f, "v:1,0"));
    LabelDefinition broken = category("sports", 1.5f, "v:0,1");
    labels.pipeInput("sports", broken);
    send("e1", "v:1,0");

    assertThat(centroids.readValuesToList()).hasSize(1);
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("sports");
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.STAGE)).isEqualTo("compile");
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo("invalid-label");
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.MESSAGE))
        .isEqualTo("label 'sports': threshold: 1.5 is outside [-1, 1] (cosine similarity)");
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.labels().name());
    assertThat(categories.readValue().getLabel()).isEqualTo("sports");
  }

  @Test
  void aLabelWithAnExampleTheProviderCannotEmbedIsDeadLettered() {
    LabelDefinition pics = LabelDefinition.newBuilder(category("pics", 0.3f, "v:1"))
        .setExamples(List.of(MediaPart.newBuilder().setUri("gs://b/cat.png").setMimeType("image/png").build())).build();
    labels.pipeInput("pics", pics);
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo("unembeddable-example");
    assertThat(DeadLetterHeaders.text(dead.headers(), DeadLetterHeaders.MESSAGE))
        .startsWith("label 'pics': examples[1]: unsupported-modality-for-provider");
    assertThat(centroids.isEmpty()).isTrue();
  }

  @Test
  void aRecordWhoseKeyIsNotItsLabelIdIsDeadLettered() {
    labels.pipeInput("football", category("sports", 0.5f, "v:1"));
    assertThat(DeadLetterHeaders.text(deadLetters.readRecord().headers(), DeadLetterHeaders.REASON))
        .isEqualTo("label-key-mismatch");
  }

  @Test
  void aTombstoneDeletesTheLabelAndItsCentroids() {
    labels.pipeInput("sports", category("sports", 0.5f, "v:1,0"));
    labels.pipeInput("sports", (LabelDefinition) null);
    send("e1", "v:1,0");
    List<TestRecord<String, LabelCentroids>> out = centroids.readRecordsToList();
    assertThat(out).hasSize(2);
    assertThat(out.get(1).key()).isEqualTo("sports");
    assertThat(out.get(1).value()).isNull();
    assertThat(categories.readValue().getReason()).isEqualTo("no-category-labels");
  }

  @Test
  void centroidsOfAnotherModelSpaceAreRecompiledForTheCurrentOneAtTheNextCheck() {
    labels.pipeInput("sports", category("sports", 0.5f, "v:1,0"));
    LabelCentroids ours = centroids.readValue();
    // Another instance, still on an older model, wrote the label's centroids afterwards.
    ModelSpace old = new ModelSpace("axis", "old", 4, "");
    centroidsIn.pipeInput("sports", LabelCentroids.newBuilder(ours).setSpace(old)
        .setCompiledAt(ours.getCompiledAt().plusSeconds(1)).build());
    send("e1", "v:1,0");
    assertThat(categories.readValue().getReason()).isEqualTo("no-category-labels");

    driver.advanceWallClockTime(CHECK);
    LabelCentroids recompiled = centroids.readValue();
    assertThat(recompiled.getSpace()).isEqualTo(provider.space());
    assertThat(recompiled.getDefinitionHash()).isEqualTo(ours.getDefinitionHash());
    send("e2", "v:1,0");
    assertThat(categories.readValue().getLabel()).isEqualTo("sports");

    driver.advanceWallClockTime(CHECK);
    assertThat(centroids.isEmpty()).as("an up-to-date label is not compiled again").isTrue();
  }

  @Test
  void centroidsWithTheWrongDimensionAreRefusedByTheClassifier() {
    labels.pipeInput("sports", category("sports", 0.5f, "v:1,0"));
    LabelCentroids ours = centroids.readValue();
    centroidsIn.pipeInput("sports", LabelCentroids.newBuilder(ours)
        .setPrototypes(List.of(List.of(0f, 1f, 0f))).build());
    send("e1", "v:1,0");
    assertThat(categories.readValue().getLabel()).isEqualTo("sports");
  }

  private void send(String id, String text) {
    send(id, text, Map.of());
  }

  private void send(String id, String text, Map<String, String> attributes) {
    MediaEvent event = MediaEvent.newBuilder().setId(id).setOccurredAt(Instant.EPOCH).setSource("test")
        .setParts(List.of(MediaPart.newBuilder().setText(text).build())).setAttributes(attributes).build();
    long before = embeddings.getQueueSize() + deadLetters.getQueueSize();
    events.pipeInput(id.getBytes(StandardCharsets.UTF_8),
        topics.avro().valueSerde(MediaEvent.class).serializer().serialize(topics.events().name(), event));
    // The embed stage answers asynchronously: fire its punctuator until the event is through.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (embeddings.getQueueSize() + deadLetters.getQueueSize() == before) {
      assertThat(System.nanoTime()).as("%s embedded within 20 s", id).isLessThan(deadline);
      driver.advanceWallClockTime(Duration.ofMillis(10));
    }
  }

  private static LabelDefinition category(String id, float threshold, String... examples) {
    return LabelDefinition.newBuilder().setId(id).setKind(LabelKind.CATEGORY).setThreshold(threshold)
        .setExamples(java.util.Arrays.stream(examples).map(t -> MediaPart.newBuilder().setText(t).build()).toList())
        .setNegativeExamples(List.of()).build();
  }

  private static LabelDefinition threats(float review, float block) {
    return LabelDefinition.newBuilder().setId("threats").setKind(LabelKind.MODERATION)
        .setExamples(List.of(MediaPart.newBuilder().setText("v:0,1").build()))
        .setNegativeExamples(List.of()).setReviewThreshold(review).setBlockThreshold(block).build();
  }
}
