package dev.sieve.embed.gemini;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalDouble;

/**
 * Durations of inline audio and video, read from their headers with small bounded parsers (no
 * decoding): WAV from its {@code fmt } and {@code data} chunks, MP3 by walking its frame headers
 * (after an ID3v2 tag), MP4/MOV from the {@code mvhd} box inside {@code moov}. Empty when the
 * bytes cannot be read as that format.
 */
final class MediaDuration {

  private MediaDuration() {}

  /** Seconds of a RIFF/WAVE file: data bytes / byte rate. */
  static OptionalDouble wav(ByteBuffer data) {
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 12 || b.getInt(b.position()) != 0x46464952 || b.getInt(b.position() + 8) != 0x45564157) {
      return OptionalDouble.empty(); // "RIFF" ... "WAVE"
    }
    long byteRate = 0;
    int at = b.position() + 12;
    while (at + 8 <= b.limit()) {
      int id = b.getInt(at);
      long size = Integer.toUnsignedLong(b.getInt(at + 4));
      if (id == 0x20746d66 && at + 16 <= b.limit()) { // "fmt "
        byteRate = Integer.toUnsignedLong(b.getInt(at + 8 + 8));
      } else if (id == 0x61746164) { // "data": streamed files may declare a size beyond the end
        long bytes = Math.min(size, b.limit() - at - 8L);
        return byteRate == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) bytes / byteRate);
      }
      at += 8 + size + (size & 1);
    }
    return OptionalDouble.empty();
  }

  private static final int[][] MP3_BITRATES = { // kbit/s by [MPEG-1 ? 0 : 1][index], layer III
      {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1},
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1}};
  private static final int[][] MP3_RATES = {{44100, 48000, 32000}, {22050, 24000, 16000}, {11025, 12000, 8000}};

  /** Seconds of an MPEG audio layer III stream: the sum of its frames' durations. */
  static OptionalDouble mp3(ByteBuffer data) {
    ByteBuffer b = data.duplicate();
    int at = b.position();
    int end = b.limit();
    if (end - at >= 10 && b.get(at) == 'I' && b.get(at + 1) == 'D' && b.get(at + 2) == '3') {
      int tagSize = ((b.get(at + 6) & 0x7f) << 21) | ((b.get(at + 7) & 0x7f) << 14)
          | ((b.get(at + 8) & 0x7f) << 7) | (b.get(at + 9) & 0x7f);
      at += 10 + tagSize;
    }
    double seconds = 0;
    int frames = 0;
    while (at + 4 <= end) {
      int header = b.getInt(at);
      if ((header >>> 21) != 0x7ff) { // lost sync: stop at trailing tags or garbage
        break;
      }
      int version = (header >>> 19) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
      int layer = (header >>> 17) & 3; // 1 = layer III
      int bitrateIndex = (header >>> 12) & 0xf;
      int rateIndex = (header >>> 10) & 3;
      int padding = (header >>> 9) & 1;
      if (version == 1 || layer != 1 || rateIndex == 3) {
        break;
      }
      int kbps = MP3_BITRATES[version == 3 ? 0 : 1][bitrateIndex];
      if (kbps <= 0) {
        break;
      }
      int rate = MP3_RATES[version == 3 ? 0 : version == 2 ? 1 : 2][rateIndex];
      int samples = version == 3 ? 1152 : 576;
      int length = samples / 8 * kbps * 1000 / rate + padding;
      seconds += (double) samples / rate;
      frames++;
      at += length;
    }
    return frames == 0 ? OptionalDouble.empty() : OptionalDouble.of(seconds);
  }

  /** Seconds of an ISO base media file (MP4, MOV): {@code moov/mvhd} duration / timescale. */
  static OptionalDouble mp4(ByteBuffer data) {
    ByteBuffer b = data.duplicate().order(ByteOrder.BIG_ENDIAN);
    int moov = findBox(b, b.position(), b.limit(), 0x6d6f6f76); // "moov"
    if (moov < 0) {
      return OptionalDouble.empty();
    }
    int mvhd = findBox(b, moov + 8, moov + (int) Math.min(boxSize(b, moov), b.limit() - moov), 0x6d766864);
    if (mvhd < 0 || mvhd + 32 > b.limit()) {
      return OptionalDouble.empty();
    }
    int version = b.get(mvhd + 8);
    long timescale;
    long duration;
    if (version == 1) {
      if (mvhd + 40 > b.limit()) {
        return OptionalDouble.empty();
      }
      timescale = Integer.toUnsignedLong(b.getInt(mvhd + 28));
      duration = b.getLong(mvhd + 32);
    } else {
      timescale = Integer.toUnsignedLong(b.getInt(mvhd + 20));
      duration = Integer.toUnsignedLong(b.getInt(mvhd + 24));
    }
    return timescale == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) duration / timescale);
  }

  /** Offset of the first box of this type among the boxes laid out in [from, to), or -1. */
  private static int findBox(ByteBuffer b, int from, int to, int type) {
    int at = from;
    while (at + 8 <= to) {
      long size = boxSize(b, at);
      if (size < 8) {
        return -1;
      }
      if (b.getInt(at + 4) == type) {
        return at;
      }
      if (at + size > to) {
        return -1;
      }
      at += (int) size;
    }
    return -1;
  }

  /** A box's size; 64-bit sizes and "to the end" (0) included. */
  private static long boxSize(ByteBuffer b, int at) {
    long size = Integer.toUnsignedLong(b.getInt(at));
    if (size == 1 && at + 16 <= b.limit()) {
      size = b.getLong(at + 8);
    } else if (size == 0) {
      size = b.limit() - at;
    }
    return size;
  }
}
