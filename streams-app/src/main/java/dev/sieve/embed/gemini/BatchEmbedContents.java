package dev.sieve.embed.gemini;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.genai.ApiClient;
import com.google.genai.ApiResponse;
import com.google.genai.HttpApiClient;
import com.google.genai.Transformers;
import com.google.genai.errors.GenAiIOException;
import com.google.genai.types.Blob;
import com.google.genai.types.Content;
import com.google.genai.types.FileData;
import com.google.genai.types.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Gemini API's {@code batchEmbedContents} call, sent through the SDK's HTTP client (its URL,
 * API version, headers, authentication, time-out and error types) with the body written and the
 * answer read here.
 *
 * <p>Why not the SDK's {@code embedContent}: an answer holds batch × dimensions numbers (49,152 for
 * 64 × 768, ~650 KB of JSON). The SDK reads it into a string, parses that into a tree, copies the
 * tree ({@code valueToTree}) and turns the copy into boxed {@code Float}s; measured, that was the
 * embed workers' main cost and a third of the embed stage's CPU per event. Here the answer is
 * streamed from the socket straight into {@code float[]}s. The request is the one the SDK sends
 * (pinned by {@code GeminiEmbeddingProviderTest}), and the call can carry several contents, which
 * the SDK's has no overload for. {@code HttpApiClient} and {@code Transformers.tModel} are marked
 * {@code @InternalApi} by the SDK: its version is pinned, and {@code BatchEmbedContentsTest}
 * checks this call against the SDK's own, so run it first when upgrading the SDK.
 *
 * <p>Errors are the SDK's: an HTTP error is its {@code ApiException}, and an answer that cannot be
 * read as {@code {"embeddings":[{"values":[numbers]}…]}} (unknown fields aside; not JSON, cut
 * short, another shape, text among the numbers) a {@link GenAiIOException}, as the SDK reports an
 * answer it cannot parse: a proxy's error page is not the content's fault. Otherwise the answer is
 * taken as it comes, for the provider to judge: a vector's values whatever their number, a
 * {@code null} as NaN, and {@code "NaN"} or {@code "Infinity"} (how proto3 JSON writes them) as
 * those values.
 */
final class BatchEmbedContents implements AutoCloseable {

  private static final JsonFactory JSON = JsonFactory.builder()
      // The same values as the JDK's parser, several times faster on 49,152 numbers per answer.
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .build();

  private final ApiClient api;
  private final String model;
  private final String path;
  private final int dimensions;

  /**
   * @param api the SDK's HTTP client for the Gemini API (an API key, not Vertex AI)
   * @param model the model id, with or without {@code models/}
   * @param dimensions the output dimensionality asked for
   */
  BatchEmbedContents(HttpApiClient api, String model, int dimensions) {
    this.api = api;
    this.model = Transformers.tModel(api, model);
    this.path = this.model + ":batchEmbedContents";
    this.dimensions = dimensions;
  }

  /**
   * One request: an entry per content, a vector per entry in the answer, in its order.
   *
   * @throws com.google.genai.errors.ApiException the API's error answer, as the SDK reports it
   * @throws GenAiIOException the server could not be reached, or its answer could not be read
   */
  List<float[]> embed(List<Content> contents) {
    try (ApiResponse response = api.request("post", path, body(contents), Optional.empty());
        InputStream answer = response.getBody().byteStream()) {
      return read(answer);
    } catch (JsonProcessingException e) {
      throw new GenAiIOException("Gemini answered something other than JSON: " + clip(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new GenAiIOException("Failed to read the Gemini answer.", e);
    }
  }

  /** The body the SDK writes: {@code {"requests":[{"content":…,"outputDimensionality":…,"model":…}]}}. */
  private String body(List<Content> contents) {
    StringWriter body = new StringWriter(256 * contents.size());
    try (JsonGenerator json = JSON.createGenerator(body)) {
      json.writeStartObject();
      json.writeArrayFieldStart("requests");
      for (Content content : contents) {
        json.writeStartObject();
        json.writeFieldName("content");
        writeContent(json, content);
        json.writeNumberField("outputDimensionality", dimensions);
        json.writeStringField("model", model);
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return body.toString();
  }

  private static void writeContent(JsonGenerator json, Content content) throws IOException {
    json.writeStartObject();
    json.writeArrayFieldStart("parts");
    for (Part part : content.parts().orElse(List.of())) {
      json.writeStartObject();
      if (part.text().isPresent()) {
        json.writeStringField("text", part.text().get());
      } else if (part.inlineData().isPresent()) {
        Blob blob = part.inlineData().get();
        json.writeObjectFieldStart("inlineData");
        json.writeFieldName("data");
        json.writeBinary(blob.data().orElse(new byte[0]));
        json.writeStringField("mimeType", blob.mimeType().orElseThrow());
        json.writeEndObject();
      } else if (part.fileData().isPresent()) {
        FileData file = part.fileData().get();
        json.writeObjectFieldStart("fileData");
        json.writeStringField("fileUri", file.fileUri().orElseThrow());
        json.writeStringField("mimeType", file.mimeType().orElseThrow());
        json.writeEndObject();
      } else {
        // GeminiContents makes only these three kinds of part.
        throw new IllegalArgumentException("a part with no text, inline data or file data: " + clip(part.toJson()));
      }
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeStringField("role", content.role().orElse("user"));
    json.writeEndObject();
  }

  /**
   * {@code {"embeddings":[{"values":[…]}, …]}}; other fields are skipped. Read to its end, so that
   * the connection can be used again.
   */
  List<float[]> read(InputStream answer) throws IOException {
    List<float[]> vectors = new ArrayList<>();
    try (JsonParser json = JSON.createParser(answer)) {
      expect(json.nextToken(), JsonToken.START_OBJECT, "the answer");
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken value = json.nextToken();
        if (field.equals("embeddings") && value == JsonToken.START_ARRAY) {
          while (json.nextToken() != JsonToken.END_ARRAY) {
            expect(json.currentToken(), JsonToken.START_OBJECT, "an embedding");
            vectors.add(readEmbedding(json));
          }
        } else {
          json.skipChildren();
        }
      }
      JsonToken after = json.nextToken();
      if (after != null) {
        throw new GenAiIOException("Gemini answered " + after + " after its answer");
      }
    }
    return vectors;
  }

  private float[] readEmbedding(JsonParser json) throws IOException {
    float[] values = null;
    while (json.nextToken() == JsonToken.FIELD_NAME) {
      String field = json.currentName();
      JsonToken value = json.nextToken();
      if (field.equals("values") && value == JsonToken.START_ARRAY) {
        values = readValues(json);
      } else {
        json.skipChildren();
      }
    }
    return values == null ? new float[0] : values;
  }

  private float[] readValues(JsonParser json) throws IOException {
    float[] values = new float[dimensions];
    int count = 0;
    for (JsonToken token = json.nextToken(); token != JsonToken.END_ARRAY; token = json.nextToken()) {
      if (count == values.length) {
        values = Arrays.copyOf(values, Math.max(8, values.length * 2));
      }
      values[count++] = switch (token) {
        case VALUE_NUMBER_FLOAT, VALUE_NUMBER_INT -> json.getFloatValue();
        case VALUE_STRING -> nonFinite(json.getText());
        case VALUE_NULL -> Float.NaN;
        default -> throw new GenAiIOException("Gemini answered " + token + " among a vector's values");
      };
    }
    return count == values.length ? values : Arrays.copyOf(values, count);
  }

  /** Proto3 JSON writes the values numbers cannot hold as strings. */
  private static float nonFinite(String text) {
    return switch (text) {
      case "NaN" -> Float.NaN;
      case "Infinity" -> Float.POSITIVE_INFINITY;
      case "-Infinity" -> Float.NEGATIVE_INFINITY;
      default -> throw new GenAiIOException("Gemini answered the string \"" + clip(text) + "\" among a vector's values");
    };
  }

  private static void expect(JsonToken actual, JsonToken expected, String what) {
    if (actual != expected) {
      throw new GenAiIOException("Gemini answered " + actual + " where " + what + " should start");
    }
  }

  /** Text from the server or from media, cut to a length a log line and a DLQ header can take. */
  private static String clip(String text) {
    return text == null || text.length() <= 200 ? text : text.substring(0, 200) + "… (" + text.length() + " chars)";
  }

  @Override
  public void close() {
    api.close();
  }
}
