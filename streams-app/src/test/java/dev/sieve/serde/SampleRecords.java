package dev.sieve.serde;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.DuplicateKind;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.LabelKind;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.avro.ModelSpace;
import dev.sieve.avro.ModerationHit;
import dev.sieve.avro.ModerationResult;
import dev.sieve.avro.Verdict;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in instance of every record Sieve publishes. */
final class SampleRecords {
  static final Instant OCCURRED_AT = Instant.parse("2026-03-01T12:00:00.123Z");
  static final ModelSpace SPACE = ModelSpace.newBuilder()
      .setProvider("local").setModel("all-MiniLM-L6-v2-q").setDimensions(3).setInstruction("").build();

  private SampleRecords() {}

  /** A photo with its caption and a link, in a tenant scope, with attributes. */
  static MediaEvent mediaEvent() {
    return MediaEvent.newBuilder()
        .setId("evt-1")
        .setOccurredAt(OCCURRED_AT)
        .setSource("upload-service")
        .setScope("tenant-a")
        .setParts(List.of(
            MediaPart.newBuilder()
                .setData(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, -1}))
                .setMimeType("image/png").build(),
            MediaPart.newBuilder().setText("a cat on a sofa").build(),
            MediaPart.newBuilder().setUri("gs://bucket/cat.mp4").setMimeType("video/mp4").build()))
        .setAttributes(Map.of("title", "Cat", "caption", "Sunday"))
        .build();
  }

  static List<SpecificRecord> everyOtherRecord() {
    return List.of(
        EmbeddedMedia.newBuilder()
            .setId("evt-1").setOccurredAt(OCCURRED_AT).setScope(null).setSpace(SPACE)
            .setVector(List.of(0.6f, 0.8f, 0f)).setContentHash("ab12").setTruncated(true).build(),
        CategoryResult.newBuilder()
            .setEventId("evt-1").setLabel("pets").setScore(0.71f)
            .setRunnerUp("furniture").setRunnerUpScore(0.42f).setSpace(SPACE).build(),
        ModerationResult.newBuilder()
            .setEventId("evt-1").setVerdict(Verdict.REVIEW)
            .setHits(List.of(ModerationHit.newBuilder()
                .setLabel("violence").setScore(0.66f).setThreshold(0.6f).setAction(Verdict.REVIEW).build()))
            .setSpace(SPACE).build(),
        DuplicateFlag.newBuilder()
            .setEventId("evt-2").setIsDuplicate(true).setKind(DuplicateKind.NEAR)
            .setDuplicateOf("evt-1").setSimilarity(0.97f).setOriginalOccurredAt(OCCURRED_AT)
            .setScope("tenant-a").build(),
        LabelDefinition.newBuilder()
            .setId("pets").setKind(LabelKind.CATEGORY).setDescription("Pets and animals")
            .setExamples(List.of(MediaPart.newBuilder().setText("a dog").build()))
            .setNegativeExamples(List.of()).setThreshold(0.5f).setChangedBy("ops")
            .setChangedAt(OCCURRED_AT).build(),
        LabelCentroids.newBuilder()
            .setLabelId("pets").setKind(LabelKind.CATEGORY).setSpace(SPACE)
            .setPrototypes(List.of(List.of(1f, 0f, 0f), List.of(0f, 1f, 0f)))
            .setThreshold(0.5f).setDefinitionHash("cd34").setCompiledAt(OCCURRED_AT).build());
  }
}
