package dev.sieve.topology;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.avro.LabelCentroids;
import dev.sieve.avro.LabelDefinition;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.ModerationResult;
import dev.sieve.config.SieveConfig;
import dev.sieve.serde.AvroSerdes;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Sieve's topics and their serdes. Input is read as raw bytes and decoded by the topology itself,
 * so that a record that cannot be decoded reaches the dead-letter topic byte for byte.
 */
public record SieveTopics(
    Topic<byte[], byte[]> events,
    Topic<String, EmbeddedMedia> embeddings,
    Topic<byte[], byte[]> deadLetters,
    Topic<String, CategoryResult> categories,
    Topic<String, ModerationResult> moderation,
    Topic<String, LabelDefinition> labels,
    Topic<String, LabelCentroids> centroids,
    Topic<String, DuplicateFlag> duplicates,
    AvroSerdes avro) {

  public static SieveTopics from(SieveConfig config) {
    AvroSerdes avro = AvroSerdes.from(config);
    return new SieveTopics(
        new Topic<>(config.getString(SieveConfig.TOPIC_EVENTS), Serdes.ByteArray(), Serdes.ByteArray()),
        new Topic<>(config.getString(SieveConfig.TOPIC_EMBEDDINGS), Serdes.String(), avro.valueSerde(EmbeddedMedia.class)),
        new Topic<>(config.getString(SieveConfig.TOPIC_DLQ), Serdes.ByteArray(), Serdes.ByteArray()),
        new Topic<>(config.getString(SieveConfig.TOPIC_CATEGORIES), Serdes.String(), avro.valueSerde(CategoryResult.class)),
        new Topic<>(config.getString(SieveConfig.TOPIC_MODERATION), Serdes.String(), avro.valueSerde(ModerationResult.class)),
        new Topic<>(config.getString(SieveConfig.TOPIC_LABELS), Serdes.String(), avro.valueSerde(LabelDefinition.class)),
        new Topic<>(config.getString(SieveConfig.TOPIC_CENTROIDS), Serdes.String(), avro.valueSerde(LabelCentroids.class)),
        new Topic<>(config.getString(SieveConfig.TOPIC_DUPLICATES), Serdes.String(), avro.valueSerde(DuplicateFlag.class)),
        avro);
  }

  /** Decodes {@link #events()} values; failures become dead letters, not exceptions. */
  public org.apache.kafka.common.serialization.Deserializer<MediaEvent> eventDeserializer() {
    return avro.valueSerde(MediaEvent.class).deserializer();
  }
}
