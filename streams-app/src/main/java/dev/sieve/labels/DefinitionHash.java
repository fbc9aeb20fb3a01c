package dev.sieve.labels;

import dev.sieve.avro.LabelDefinition;
import dev.sieve.serde.GeneratedAvroClasses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Identifies what a label means: the hex SHA-256 of its definition's Avro encoding without who
 * changed it and when. Two definitions with equal hashes compile to the same centroids, so
 * {@code labels apply} writes only labels whose hash changed.
 */
public final class DefinitionHash {

  static {
    GeneratedAvroClasses.trustInSchemas();
  }

  private DefinitionHash() {}

  public static String of(LabelDefinition definition) {
    LabelDefinition meaning = LabelDefinition.newBuilder(definition).setChangedBy(null).setChangedAt(null).build();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
      new SpecificDatumWriter<>(LabelDefinition.class).write(meaning, encoder);
      encoder.flush();
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
