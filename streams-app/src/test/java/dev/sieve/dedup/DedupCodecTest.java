package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The index's internal records: texts round-trip, probes keep their byte layout, and records written
 * before the lexical signal still read.
 */
class DedupCodecTest {

  @Test
  void aBandCopyRoundTripsWithoutAVector() {
    int[] signature = dev.sieve.embed.LexicalSignature.of("the meeting moved to friday at noon");
    Probe probe = new Probe("e1", "scope", "space", 5L, "hash", new float[] {0.6f, 0.8f}, new int[] {1, 3},
        LexicalBands.stored(signature), LexicalBands.of(signature), Probe.bandRoute(2));
    IndexedItem item = probe.item(9L);
    DedupCodec.StoredCopy copy = DedupCodec.storedCopy(DedupCodec.storedCopy(probe.cellKey(), item));
    assertThat(copy.cell()).isEqualTo(new CellKey("scope", "space", 2, LexicalBands.of(signature)[2]));
    assertThat(copy.item().vector()).isNull();
    assertThat(copy.item().lexical()).containsExactly(LexicalBands.stored(signature));
    assertThat(copy.item().bands()).containsExactly(LexicalBands.of(signature));
    Probe read = DedupCodec.PROBE.deserializer().deserialize("t", DedupCodec.PROBE.serializer().serialize("t", probe));
    assertThat(read.route()).isEqualTo(Probe.bandRoute(2));
    assertThat(read.lexical()).containsExactly(probe.lexical());
  }

  @Test
  void aProbesVectorIsWrittenAsOneFloatAfterAnotherAndReadBack() throws Exception {
    // The block encoding of the vector keeps the layout value-by-value writes made, so probes in
    // flight on the repartition topics across an upgrade still read.
    Probe probe = new Probe("e1", "scope", "space", 5L, "hash", new float[] {0.6f, -0.8f, Float.MIN_VALUE},
        new int[] {1, 3}, new int[] {7}, new int[] {9}, 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(2);
      out.writeUTF("e1");
      out.writeUTF("scope");
      out.writeUTF("space");
      out.writeLong(5L);
      out.writeUTF("hash");
      out.writeInt(3);
      out.writeFloat(0.6f);
      out.writeFloat(-0.8f);
      out.writeFloat(Float.MIN_VALUE);
      out.writeByte(2);
      out.writeInt(1);
      out.writeInt(3);
      out.writeInt(1);
      out.writeByte(1);
      out.writeShort(7);
      out.writeByte(1);
      out.writeInt(9);
    }
    assertThat(DedupCodec.PROBE.serializer().serialize("t", probe)).containsExactly(bytes.toByteArray());
    Probe read = DedupCodec.PROBE.deserializer().deserialize("t", bytes.toByteArray());
    assertThat(read.vector()).containsExactly(0.6f, -0.8f, Float.MIN_VALUE);
    assertThat(read.cells()).containsExactly(1, 3);
    assertThat(read.route()).isEqualTo(1);
  }

  @Test
  void aCellCopyWrittenByVersionOneReadsAsANonText() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeUTF("scope");
      out.writeUTF("space");
      out.writeInt(3);
      out.writeUTF("e1");
      out.writeLong(5L);
      out.writeLong(9L);
      out.writeUTF("hash");
      out.writeByte(2);
      out.writeInt(3);
      out.writeInt(7);
      out.writeFloat(0.5f);
      out.writeInt(2);
      out.write(new byte[] {1, 2});
    }
    DedupCodec.StoredCopy copy = DedupCodec.storedCopy(bytes.toByteArray());
    assertThat(copy.cell()).isEqualTo(new CellKey("scope", "space", 3));
    assertThat(copy.item().cells()).containsExactly(3, 7);
    assertThat(copy.item().vector().values()).containsExactly(1, 2);
    assertThat(copy.item().lexical()).isEmpty();
    assertThat(copy.item().bands()).isEmpty();
  }
}
