package dev.sieve.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.DuplicateKind;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The index's internal records: stored events round-trip and keep their byte layout, probe groups
 * keep theirs, records in flight of the per-route format are refused, and stored copies of earlier
 * formats (one per cell, with or without the lexical signal) still read.
 */
class DedupCodecTest {

  @Test
  void aStoredTextRoundTripsAsOneRecordWithTheItemOnceAndItsRoutes() {
    int[] signature = dev.sieve.embed.LexicalSignature.of("the meeting moved to friday at noon");
    Probe probe = new Probe("e1", "scope", "space", 5L, "hash", new float[] {0.6f, 0.8f}, new int[] {1, 3},
        LexicalBands.stored(signature), LexicalBands.of(signature), 3);
    int[] routes = {3, Probe.bandRoute(2), Probe.bandRoute(15)};
    StoredEvent event = StoredEvent.of("scope", "space", probe.item(9L), routes);

    StoredEvent read = DedupCodec.storedEvent(DedupCodec.storedEvent(event));

    assertThat(read.scope()).isEqualTo("scope");
    assertThat(read.space()).isEqualTo("space");
    assertThat(read.key()).isEqualTo("\0\0scope\0space\0e1");
    assertThat(read.placements()).hasSize(1);
    IndexedItem item = read.placements().get(0).item();
    assertThat(item.eventId()).isEqualTo("e1");
    assertThat(item.occurredAt()).isEqualTo(5L);
    assertThat(item.timestamp()).isEqualTo(9L);
    assertThat(item.contentHash()).isEqualTo("hash");
    assertThat(item.cells()).containsExactly(1, 3);
    assertThat(item.vector().values()).containsExactly(QuantizedVector.of(new float[] {0.6f, 0.8f}).values());
    assertThat(item.lexical()).containsExactly(LexicalBands.stored(signature));
    assertThat(item.bands()).containsExactly(LexicalBands.of(signature));
    assertThat(read.placements().get(0).routes()).containsExactly(routes);
    assertThat(Arrays.stream(routes).mapToObj(route -> read.cell(item, route))).containsExactly(
        new CellKey("scope", "space", 3),
        new CellKey("scope", "space", 2, LexicalBands.of(signature)[2]),
        new CellKey("scope", "space", 15, LexicalBands.of(signature)[15]));
  }

  @Test
  void aStoredEventIsVersionThreeWithItsPlacementsOneAfterAnother() throws Exception {
    IndexedItem first = new IndexedItem("e1", 5L, 9L, "h", new int[] {3, 7}, null, new int[] {4}, new int[] {6});
    IndexedItem later = new IndexedItem("e1", 6L, 10L, "h2", new int[] {2, 7}, new QuantizedVector(new byte[] {1, -2},
        0.5f));
    StoredEvent event = StoredEvent.of("s", "sp", first, new int[] {Probe.bandRoute(0)}).with(later, new int[] {2});
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(3);
      out.writeUTF("s");
      out.writeUTF("sp");
      out.writeUTF("e1");
      out.writeByte(2);
      // first placement: a text in a band bucket only, no vector
      out.writeLong(5L);
      out.writeLong(9L);
      out.writeUTF("h");
      out.writeByte(2);
      out.writeInt(3);
      out.writeInt(7);
      out.writeFloat(0f);
      out.writeInt(-1);
      out.writeByte(1);
      out.writeShort(4);
      out.writeByte(1);
      out.writeInt(6);
      out.writeByte(1);
      out.writeInt(-2);
      // second: the same id again with other content, in a cell
      out.writeLong(6L);
      out.writeLong(10L);
      out.writeUTF("h2");
      out.writeByte(2);
      out.writeInt(2);
      out.writeInt(7);
      out.writeFloat(0.5f);
      out.writeInt(2);
      out.write(new byte[] {1, -2});
      out.writeByte(0);
      out.writeByte(0);
      out.writeByte(1);
      out.writeInt(2);
    }
    assertThat(DedupCodec.storedEvent(event)).containsExactly(bytes.toByteArray());
    assertThat(DedupCodec.isCopy(bytes.toByteArray())).isFalse();
    StoredEvent read = DedupCodec.storedEvent(bytes.toByteArray());
    assertThat(read.placements()).extracting(p -> p.item().contentHash()).containsExactly("h", "h2");
    assertThat(read.placements().get(0).item().vector()).isNull();
    assertThat(read.placements().get(1).routes()).containsExactly(2);
    assertThat(read.copies()).isEqualTo(2);
  }

  @Test
  void aBandCopyOfFormatTwoReadsAsTheEventStoredInThatBandBucket() {
    int[] signature = dev.sieve.embed.LexicalSignature.of("the meeting moved to friday at noon");
    Probe probe = new Probe("e1", "scope", "space", 5L, "hash", new float[] {0.6f, 0.8f}, new int[] {1, 3},
        LexicalBands.stored(signature), LexicalBands.of(signature), Probe.bandRoute(2));
    byte[] copy = FormatTwoCopies.copy(probe.cellKey(), probe.item(9L));

    assertThat(DedupCodec.isCopy(copy)).isTrue();
    StoredEvent read = DedupCodec.storedEvent(copy);
    assertThat(read.key()).isEqualTo(StoredEvent.key("scope", "space", "e1"));
    assertThat(read.placements()).singleElement().satisfies(placement -> {
      assertThat(placement.routes()).containsExactly(Probe.bandRoute(2));
      assertThat(read.cell(placement.item(), Probe.bandRoute(2)))
          .isEqualTo(new CellKey("scope", "space", 2, LexicalBands.of(signature)[2]));
      assertThat(placement.item().vector()).isNull();
      assertThat(placement.item().lexical()).containsExactly(LexicalBands.stored(signature));
      assertThat(placement.item().bands()).containsExactly(LexicalBands.of(signature));
    });
  }

  @Test
  void keysOfStoredEventsAreApartFromKeysOfCopies() {
    // A copy's key starts with its scope, NUL, then its space, which is never empty: even in the
    // global scope ("") its second character is not NUL, while every stored event's key starts with two.
    String space = CellRouter.spaceKey(DedupHarness.SPACE);
    String copyKey = FormatTwoCopies.key(new CellKey("", space, 3), "e1");
    assertThat(copyKey).startsWith("\0" + space.charAt(0));
    assertThat(StoredEvent.key("", space, "e1")).startsWith("\0\0").isNotEqualTo(copyKey);
    assertThat(StoredEvent.keyPrefix("tenant", space)).isEqualTo("\0\0tenant\0" + space + "\0");
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
  void firstSeenEntriesKeepTheirLayoutAtVersionThreeAndThoseOfVersionTwoRead() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(3);
      out.writeUTF("e1");
      out.writeLong(5L);
      out.writeLong(9L);
    }
    byte[] written = bytes.toByteArray();
    assertThat(DedupCodec.firstSeen(new DedupCodec.FirstSeen("e1", 5L, 9L))).containsExactly(written);
    written[0] = 2;
    assertThat(DedupCodec.firstSeen(written)).isEqualTo(new DedupCodec.FirstSeen("e1", 5L, 9L));
    assertThatThrownBy(() -> DedupCodec.firstSeen(new byte[] {4, 0, 0}))
        .isInstanceOf(IllegalStateException.class).hasMessage("unknown stored dedup record version 4");
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
    assertThat(DedupCodec.isCopy(bytes.toByteArray())).isTrue();
    StoredEvent read = DedupCodec.storedEvent(bytes.toByteArray());
    StoredEvent.Placement copy = read.placements().get(0);
    assertThat(copy.routes()).containsExactly(3);
    assertThat(read.cell(copy.item(), 3)).isEqualTo(new CellKey("scope", "space", 3));
    assertThat(copy.item().cells()).containsExactly(3, 7);
    assertThat(copy.item().vector().values()).containsExactly(1, 2);
    assertThat(copy.item().lexical()).isEmpty();
    assertThat(copy.item().bands()).isEmpty();
  }
}
