package dev.sieve.validate;

import dev.sieve.avro.MediaEvent;
import dev.sieve.avro.MediaPart;
import dev.sieve.deadletter.Rejection;
import dev.sieve.deadletter.Rejection.Stage;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;

/**
 * Checks an event's structure before any work is spent on it. Pure: no I/O, no provider; what a
 * particular provider can embed is decided later by the provider itself.
 */
public final class EventValidator {

  private final EventLimits limits;

  public EventValidator(EventLimits limits) {
    this.limits = limits;
  }

  public EventLimits limits() {
    return limits;
  }

  /** Empty when the event is well-formed, else the first problem found. */
  public Optional<Rejection> validate(MediaEvent event) {
    String id = event.getId();
    if (id == null || id.isBlank()) {
      return reject("missing-id", "event id is empty");
    }
    if (id.length() > limits.maxIdLength()) {
      return reject("id-too-long", "event id has " + id.length() + " characters; at most "
          + limits.maxIdLength() + " allowed (sieve.event.max.id.length)");
    }
    List<MediaPart> parts = event.getParts();
    if (parts == null || parts.isEmpty()) {
      return reject("no-parts", "event " + id + " has no parts; at least one of data, text or uri is needed");
    }
    if (parts.size() > limits.maxParts()) {
      return reject("too-many-parts", "event " + id + " has " + parts.size() + " parts; at most "
          + limits.maxParts() + " allowed (sieve.event.max.parts)");
    }
    long textChars = 0;
    for (int i = 0; i < parts.size(); i++) {
      Optional<Rejection> problem = validatePart(parts.get(i), i);
      if (problem.isPresent()) {
        return problem;
      }
      if (parts.get(i).getText() != null) {
        textChars += parts.get(i).getText().length();
      }
    }
    if (textChars > limits.maxTextChars()) {
      return reject("text-too-long", "event " + id + " carries " + textChars + " characters of text; at most "
          + limits.maxTextChars() + " allowed (sieve.event.max.text.chars)");
    }
    return Optional.empty();
  }

  private Optional<Rejection> validatePart(MediaPart part, int index) {
    String where = "part " + index;
    int payloads = (part.getData() != null ? 1 : 0) + (part.getText() != null ? 1 : 0)
        + (part.getUri() != null ? 1 : 0);
    if (payloads == 0) {
      return reject("part-without-payload", where + " has none of data, text or uri");
    }
    if (payloads > 1) {
      return reject("part-with-several-payloads", where + " sets " + payloadNames(part)
          + "; a part carries exactly one of data, text or uri (use several parts instead)");
    }
    String mimeType = part.getMimeType();
    if (part.getText() != null) {
      if (part.getText().isBlank()) {
        return reject("empty-text", where + " has empty text");
      }
      if (mimeType != null && !MimeTypes.isText(mimeType)) {
        return reject("mime-type-mismatch", where + " is text but declares mime type " + mimeType);
      }
      return Optional.empty();
    }
    if (mimeType == null || mimeType.isBlank()) {
      return reject("missing-mime-type", where + " (" + (part.getData() != null ? "data" : "uri")
          + ") needs a mimeType");
    }
    if (!MimeTypes.isSupported(mimeType)) {
      return reject("unsupported-mime-type", where + " has mime type " + mimeType
          + "; supported: " + MimeTypes.supported());
    }
    if (part.getData() != null && !part.getData().hasRemaining()) {
      return reject("empty-data", where + " has zero bytes of data");
    }
    if (part.getData() != null) {
      return validateData(part.getData(), mimeType, where);
    }
    if (part.getUri() != null) {
      return validateUri(part.getUri(), where);
    }
    return Optional.empty();
  }

  /** Inline bytes must be what their type says: a provider would embed a PNG declared as text. */
  private static Optional<Rejection> validateData(java.nio.ByteBuffer data, String mimeType, String where) {
    Optional<String> mismatch = MediaSignature.mismatch(mimeType, data);
    if (mismatch.isPresent()) {
      return reject("mime-type-mismatch", where + " " + mismatch.get());
    }
    if (MimeTypes.isText(mimeType) && !MediaSignature.isUtf8(data)) {
      return reject("invalid-utf8", where + " declares " + MimeTypes.essence(mimeType)
          + " but its bytes are not valid UTF-8");
    }
    return Optional.empty();
  }

  private static Optional<Rejection> validateUri(String uri, String where) {
    try {
      URI parsed = new URI(uri);
      if (parsed.getScheme() == null) {
        return reject("invalid-uri", where + " has uri '" + uri + "' without a scheme");
      }
      return Optional.empty();
    } catch (URISyntaxException e) {
      return reject("invalid-uri", where + " has an invalid uri: " + e.getMessage());
    }
  }

  private static String payloadNames(MediaPart part) {
    StringBuilder names = new StringBuilder();
    if (part.getData() != null) {
      names.append("data");
    }
    if (part.getText() != null) {
      names.append(names.isEmpty() ? "" : " and ").append("text");
    }
    if (part.getUri() != null) {
      names.append(names.isEmpty() ? "" : " and ").append("uri");
    }
    return names.toString();
  }

  private static Optional<Rejection> reject(String reason, String message) {
    return Optional.of(new Rejection(Stage.VALIDATE, reason, message));
  }
}
