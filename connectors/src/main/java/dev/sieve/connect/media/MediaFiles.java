package dev.sieve.connect.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.demo.FileMedia;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Makes the {@link MediaEvent} of one file and its sidecars.
 *
 * <p>The event id is stable: the first 32 hex digits of the SHA-256 of the file's path relative to
 * its watched directory, its content's SHA-256 and each sidecar's extension and content SHA-256. The
 * same file read again (after a restart, a {@code touch}) has the same id; changed content or a
 * changed sidecar makes a new event.
 */
final class MediaFiles {

  /** Enough of a file's head for {@link FileMedia} to recognise every signature it knows. */
  private static final int SNIFF_BYTES = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MediaSourceConfig config;

  MediaFiles(MediaSourceConfig config) {
    this.config = config;
  }

  /** A file's event, and the id that also goes into its source offset. */
  record Read(MediaEvent event, String id) {}

  /**
   * @throws IOException when the file or a sidecar cannot be read (vanished, unreadable)
   * @throws InvalidSidecarException when a JSON sidecar is not an object
   */
  Read read(WatchedFile file, List<WatchedFile> sidecars) throws IOException {
    MessageDigest identity = sha256();
    identity.update(file.relativePath().getBytes(StandardCharsets.UTF_8));
    List<MediaPart> parts = new ArrayList<>();
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("file.path", file.relativePath());
    attributes.put("file.name", file.name());

    byte[] head;
    byte[] content = null;
    String contentHash;
    if (file.size() <= config.inlineMaxBytes()) {
      content = Files.readAllBytes(file.path());
      head = content;
      contentHash = HexFormat.of().formatHex(sha256().digest(content));
    } else {
      MessageDigest digest = sha256();
      try (InputStream in = new DigestInputStream(Files.newInputStream(file.path()), digest)) {
        head = in.readNBytes(SNIFF_BYTES);
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      contentHash = HexFormat.of().formatHex(digest.digest());
    }
    identity.update((byte) 0);
    identity.update(contentHash.getBytes(StandardCharsets.US_ASCII));
    String mimeType = FileMedia.mimeType(file.name(), head);
    attributes.put("file.sha256", contentHash);
    if (content == null) {
      parts.add(MediaPart.newBuilder().setUri(uri(file)).setMimeType(mimeType).build());
    } else if (mimeType.startsWith("text/")) {
      parts.add(MediaPart.newBuilder().setText(new String(content, StandardCharsets.UTF_8)).setMimeType(mimeType).build());
    } else {
      parts.add(MediaPart.newBuilder().setData(ByteBuffer.wrap(content)).setMimeType(mimeType).build());
    }

    for (WatchedFile sidecar : sidecars) {
      byte[] bytes = Files.readAllBytes(sidecar.path());
      identity.update((byte) 0);
      identity.update(sidecar.extension().getBytes(StandardCharsets.UTF_8));
      identity.update((byte) 0);
      identity.update(sha256().digest(bytes));
      if (sidecar.extension().equals("json")) {
        attributes.putAll(attributes(sidecar, bytes));
      } else {
        parts.add(MediaPart.newBuilder().setText(new String(bytes, StandardCharsets.UTF_8)).build());
      }
    }
    String id = HexFormat.of().formatHex(Arrays.copyOf(identity.digest(), 16));
    MediaEvent event = MediaEvent.newBuilder()
        .setId(id)
        .setOccurredAt(Instant.ofEpochMilli(file.modifiedMillis()))
        .setSource(config.source())
        .setScope(config.scope())
        .setParts(parts)
        .setAttributes(attributes)
        .build();
    return new Read(event, id);
  }

  /** The file's place for Sieve to fetch it from: {@code uri.prefix} + relative path, or a file: URI. */
  String uri(WatchedFile file) {
    if (config.uriPrefix().isBlank()) {
      return file.path().toUri().toString();
    }
    String encoded = Arrays.stream(file.relativePath().split("/"))
        .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
    return config.uriPrefix() + encoded;
  }

  private static Map<String, String> attributes(WatchedFile sidecar, byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new InvalidSidecarException(sidecar, "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidSidecarException(sidecar, "must be a JSON object of attributes");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    root.properties().forEach(e -> attributes.put(e.getKey(),
        e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
    return attributes;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** A JSON sidecar that does not hold an object of attributes. */
  static final class InvalidSidecarException extends RuntimeException {
    private final WatchedFile sidecar;

    InvalidSidecarException(WatchedFile sidecar, String message) {
      super(message);
      this.sidecar = sidecar;
    }

    WatchedFile sidecar() {
      return sidecar;
    }
  }
}
