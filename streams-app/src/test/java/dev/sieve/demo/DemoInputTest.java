package dev.sieve.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoInputTest {

  private static final Instant NOW = Instant.parse("2026-11-26T00:00:00Z");

  @TempDir
  Path dir;

  @Test
  void readsTextWithAttributesScopeAndTime() {
    MediaEvent event = single("{\"id\":\"e1\",\"text\":\"hello\",\"attributes\":{\"title\":\"T\"},"
        + "\"scope\":\"tenant-a\",\"occurredAt\":\"2026-01-02T03:04:05Z\"}");
    assertThat(event.getId()).isEqualTo("e1");
    assertThat(event.getParts()).extracting(MediaPart::getText).containsExactly("hello");
    assertThat(event.getAttributes()).containsEntry("title", "T");
    assertThat(event.getScope()).isEqualTo("tenant-a");
    assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(event.getSource()).isEqualTo("sieve-demo");
  }

  @Test
  void aFileWithACaptionBecomesTwoPartsWithTheMimeTypeFromTheContent() throws Exception {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0};
    Files.write(dir.resolve("photo.bin"), png);
    MediaEvent event = single("{\"id\":\"e2\",\"file\":\"photo.bin\",\"text\":\"a caption\",\"occurredAt\":5}");
    assertThat(event.getParts()).hasSize(2);
    assertThat(event.getParts().get(0).getMimeType()).isEqualTo("image/png");
    assertThat(event.getParts().get(0).getData()).isEqualTo(ByteBuffer.wrap(png));
    assertThat(event.getParts().get(1).getText()).isEqualTo("a caption");
    assertThat(event.getOccurredAt()).isEqualTo(Instant.ofEpochMilli(5));
  }

  @Test
  void aTextFileBecomesATextPart() throws Exception {
    Files.writeString(dir.resolve("note.txt"), "plain words");
    MediaEvent event = single("{\"id\":\"e\",\"file\":\"note.txt\"}");
    assertThat(event.getParts().get(0).getText()).isEqualTo("plain words");
    assertThat(event.getParts().get(0).getMimeType()).isEqualTo("text/plain");
  }

  @Test
  void inlineDataUriAndExplicitPartsAreKeptAsWritten() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {1, 2});
    MediaEvent data = single("{\"id\":\"e3\",\"data\":\"" + b64 + "\",\"mimeType\":\"image/png\"}");
    assertThat(data.getParts().get(0).getData()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
    MediaEvent uri = single("{\"id\":\"e4\",\"uri\":\"https://x/v.mp4\",\"mimeType\":\"video/mp4\"}");
    assertThat(uri.getParts().get(0).getUri()).isEqualTo("https://x/v.mp4");
    // An invalid part (two payloads) is passed on as written, for Sieve to reject.
    MediaEvent both = single("{\"id\":\"e5\",\"parts\":[{\"text\":\"t\",\"uri\":\"gs://b/o\"}]}");
    assertThat(both.getParts().get(0).getText()).isEqualTo("t");
    assertThat(both.getParts().get(0).getUri()).isEqualTo("gs://b/o");
  }

  @Test
  void rawLinesAreSentAsTheirBytes() {
    DemoInput.Parsed parsed = read("{\"id\":\"r\",\"raw\":\"not avro\"}");
    assertThat(parsed.records().get(0).event()).isNull();
    assertThat(parsed.records().get(0).raw()).isEqualTo("not avro".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void malformedLinesAreReportedByNumberAndSkipped() {
    DemoInput.Parsed parsed = read("""
        {"id":"ok-1","text":"fine"}
        {"id":"broken","text":"unterminated
        ["not an object"]
        {"text":"no id"}

        {"id":"bad-b64","data":"%%%","mimeType":"image/png"}
        {"id":"missing-file","file":"nope.png"}
        {"id":"bad-time","text":"x","occurredAt":"yesterday"}
        {"id":"ok-2","text":"also fine"}
        """);
    assertThat(parsed.records()).extracting(DemoRecord::id).containsExactly("ok-1", "ok-2");
    assertThat(parsed.problems()).extracting(DemoInput.Problem::line).containsExactly(2, 3, 4, 6, 7, 8);
    assertThat(parsed.problems().get(0).message()).startsWith("not valid JSON");
    assertThat(parsed.problems().get(2).message()).contains("\"id\"");
    assertThat(parsed.problems().get(3).message()).contains("base64");
    assertThat(parsed.problems().get(4).message()).contains("nope.png");
    assertThat(parsed.problems().get(5).message()).contains("occurredAt");
  }

  @Test
  void theBundledSampleParsesApartFromItsOneDeliberatelyBrokenLine() throws Exception {
    try (var in = DemoRun.class.getResourceAsStream(DemoRun.BUNDLED_EVENTS);
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      DemoInput.Parsed parsed = new DemoInput(dir, NOW).read(reader);
      assertThat(parsed.records()).hasSizeGreaterThanOrEqualTo(30);
      assertThat(parsed.problems()).hasSize(1);
    }
  }

  private MediaEvent single(String line) {
    DemoInput.Parsed parsed = read(line);
    assertThat(parsed.problems()).isEmpty();
    return parsed.records().get(0).event();
  }

  private DemoInput.Parsed read(String text) {
    return new DemoInput(dir, NOW).read(new BufferedReader(new StringReader(text)));
  }
}
