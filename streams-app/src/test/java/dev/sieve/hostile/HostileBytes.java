package dev.sieve.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sieve.embed.local.TestPdfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Builds the bytes of a hostile case from its small description in the manifest, so that no large
 * or binary fixture is committed: {@code utf8}, {@code hex}, {@code png} (optionally huge declared
 * size, padding, or a corrupted body), {@code pdf} (pages of text), {@code pdfBomb} (a page whose
 * content stream inflates to many MiB) and {@code mp4} (a header declaring a duration).
 */
final class HostileBytes {

  private HostileBytes() {}

  static byte[] from(JsonNode spec) {
    if (spec.has("utf8")) {
      return spec.get("utf8").asText().getBytes(StandardCharsets.UTF_8);
    }
    if (spec.has("hex")) {
      return HexFormat.of().parseHex(spec.get("hex").asText());
    }
    if (spec.has("png")) {
      JsonNode png = spec.get("png");
      return png(png.get("width").asInt(), png.get("height").asInt(), png.path("paddingBytes").asInt(0),
          png.path("corrupt").asBoolean(false));
    }
    if (spec.has("pdf")) {
      var pages = new java.util.ArrayList<String>();
      spec.get("pdf").get("pages").forEach(page -> pages.add(page.asText()));
      return TestPdfs.withPages(pages.toArray(String[]::new));
    }
    if (spec.has("pdfBomb")) {
      return TestPdfs.decompressionBomb(spec.get("pdfBomb").get("inflatedMiB").asInt());
    }
    if (spec.has("mp4")) {
      return mp4(spec.get("mp4").get("seconds").asInt());
    }
    throw new IllegalArgumentException("unknown bytes description " + spec);
  }

  /**
   * A PNG declaring {@code width x height} RGB pixels. Its image data holds one row only (a huge
   * declared size therefore costs nothing here), followed by {@code paddingBytes} in an ancillary
   * chunk; {@code corrupt} flips bytes of the image data after the CRC was computed.
   */
  static byte[] png(int width, int height, int paddingBytes, boolean corrupt) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + paddingBytes);
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array(), false);
    chunk(out, "IDAT", deflate(new byte[1 + 3 * Math.min(width, 4096)]), corrupt);
    if (paddingBytes > 0) {
      chunk(out, "teXt", new byte[paddingBytes], false);
    }
    chunk(out, "IEND", new byte[0], false);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data, boolean corrupt) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    if (corrupt) {
      for (int i = 0; i < data.length; i += 2) {
        data[i] ^= (byte) 0x5a;
      }
    }
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static byte[] deflate(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream deflater = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_COMPRESSION))) {
      deflater.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** An MP4 header ({@code ftyp}, {@code moov/mvhd}) declaring {@code seconds}; no media data. */
  static byte[] mp4(int seconds) {
    ByteBuffer mvhd = ByteBuffer.allocate(108);
    mvhd.putInt(108).put("mvhd".getBytes(StandardCharsets.US_ASCII)).putInt(0) // version 0, flags
        .putInt(0).putInt(0) // creation, modification
        .putInt(1000).putInt(seconds * 1000); // timescale, duration
    ByteBuffer moov = ByteBuffer.allocate(8 + 108).putInt(8 + 108).put("moov".getBytes(StandardCharsets.US_ASCII))
        .put(mvhd.array());
    ByteBuffer ftyp = ByteBuffer.allocate(16).putInt(16).put("ftypisom".getBytes(StandardCharsets.US_ASCII)).putInt(0);
    return ByteBuffer.allocate(16 + moov.capacity()).put(ftyp.array()).put(moov.array()).array();
  }
}
