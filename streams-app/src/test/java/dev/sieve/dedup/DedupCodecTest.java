package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.DuplicateKind;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The index's internal records: texts round-trip, probe groups keep their byte layout, records in
 * flight of the per-route format are refused, and stored records keep theirs (those written before
 * the lexical signal still read).
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
  }

  @Test
  void aProbeGroupIsWrittenAsVersionThreeWithItsVectorOneFloatAfterAnotherAndReadBack() throws Exception {
    ProbeGroup group = new ProbeGroup("e1", "scope", "space", 5L, "hash", new float[] {0.6f, -0.8f, Float.MIN_VALUE},
        new int[] {1, 3}, new int[] {7}, new int[] {9}, new int[] {Probe.EXACT_ROUTE, 3, Probe.bandRoute(0)}, 2, 3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(3);
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
      out.writeByte(1);
      out.writeShort(7);
      out.writeByte(1);
      out.writeInt(9);
      out.writeByte(3);
      out.writeInt(-1);
      out.writeInt(3);
      out.writeInt(-2);
      out.writeInt(2);
      out.writeInt(3);
    }
    assertThat(DedupCodec.PROBE_GROUP.serializer().serialize("t", group)).containsExactly(bytes.toByteArray());
    ProbeGroup read = DedupCodec.PROBE_GROUP.deserializer().deserialize("t", bytes.toByteArray());
    assertThat(read.vector()).containsExactly(0.6f, -0.8f, Float.MIN_VALUE);
    assertThat(read.cells()).containsExactly(1, 3);
    assertThat(read.lexical()).containsExactly(7);
    assertThat(read.bands()).containsExactly(9);
    assertThat(read.routes()).containsExactly(Probe.EXACT_ROUTE, 3, Probe.bandRoute(0));
    assertThat(read.partition()).isEqualTo(2);
    assertThat(read.groups()).isEqualTo(3);
  }

  @Test
  void aPerRouteProbeOfVersionTwoIsRefusedWithWhatToDo() {
    byte[] versionTwo = {2, 0, 2, 'e', '1'};
    assertThatThrownBy(() -> DedupCodec.PROBE_GROUP.deserializer().deserialize("t", versionTwo))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("dedup probe or answer of version 2, this version reads only 3 (versions 1 and 2 were one "
            + "record per route: drain the dedup repartition topics and gather store before upgrading)");
    assertThatThrownBy(() -> DedupCodec.ANSWER.deserializer().deserialize("t", versionTwo))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("dedup probe or answer of version 2");
  }

  @Test
  void anAnswerRoundTripsWithItsPartitionAndExpectedCount() {
    Answer answer = new Answer("e1", "scope", 3, DuplicateKind.NEAR, "e0", 0.93f, 0.7f, 11L, 4);
    assertThat(DedupCodec.ANSWER.deserializer().deserialize("t", DedupCodec.ANSWER.serializer().serialize("t", answer)))
        .isEqualTo(answer);
    assertThat(DedupCodec.answers(DedupCodec.answers(java.util.List.of(answer, answer)))).containsExactly(answer, answer);
  }

  @Test
  void storedEntriesKeepTheirVersionTwoFormat() throws Exception {
    // Pre-filled and restored state (dedup-exact, dedup-cells) must read and be written as before.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(2);
      out.writeUTF("e1");
      out.writeLong(5L);
      out.writeLong(9L);
    }
    assertThat(DedupCodec.firstSeen(new DedupCodec.FirstSeen("e1", 5L, 9L))).containsExactly(bytes.toByteArray());
    IndexedItem item = new IndexedItem("e1", 5L, 9L, "hash", new int[] {3}, QuantizedVector.of(new float[] {1f}));
    assertThat(DedupCodec.storedCopy(new CellKey("s", "sp", 3), item)[0]).isEqualTo((byte) 2);
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
