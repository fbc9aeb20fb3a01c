package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.MediaEvent;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the REST client sends and how it reads answers, against a scripted server. */
class RestSchemaRegistryTest {
  private static final String SCHEMA_ANSWER = "{\"schema\":" + quoted(MediaEvent.getClassSchema().toString()) + "}";

  private final FakeRegistryServer server = new FakeRegistryServer();

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void registerPostsTheSchemaAsJsonStringToTheSubjectsVersions() throws IOException {
    server.answer(200, "{\"id\":7}");

    int id = client(Map.of()).register("media.events-value", MediaEvent.getClassSchema());

    assertThat(id).isEqualTo(7);
    FakeRegistryServer.Request request = server.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/subjects/media.events-value/versions");
    assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(new ObjectMapper().readTree(request.body()).get("schema").asText())
        .isEqualTo(MediaEvent.getClassSchema().toString());
  }

  @Test
  void lookupPostsTheSchemaToTheSubject() {
    server.answer(200, "{\"subject\":\"media.events-value\",\"version\":1,\"id\":7}");

    int id = client(Map.of()).lookup("media.events-value", MediaEvent.getClassSchema());

    assertThat(id).isEqualTo(7);
    assertThat(server.requests().get(0).path()).isEqualTo("/subjects/media.events-value");
  }

  @Test
  void aSchemaIsFetchedByIdOnlyOnce() {
    server.answer(200, SCHEMA_ANSWER);
    RestSchemaRegistry client = client(Map.of());

    client.schemaById(7);
    assertThat(client.schemaById(7)).isEqualTo(MediaEvent.getClassSchema());

    assertThat(server.requests()).extracting(FakeRegistryServer.Request::path).containsExactly("/schemas/ids/7");
  }

  @Test
  void aRegisteredIdIsCachedForItsSubjectAndSchema() {
    server.answer(200, "{\"id\":7}");
    RestSchemaRegistry client = client(Map.of());

    client.register("media.events-value", MediaEvent.getClassSchema());
    client.register("media.events-value", MediaEvent.getClassSchema());
    client.lookup("media.events-value", MediaEvent.getClassSchema());

    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void theSchemaOfARegisteredIdNeedsNoFetch() {
    server.answer(200, "{\"id\":7}");
    RestSchemaRegistry client = client(Map.of());

    client.register("media.events-value", MediaEvent.getClassSchema());

    assertThat(client.schemaById(7)).isEqualTo(MediaEvent.getClassSchema());
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void anUnknownIdNamesTheIdAndTheServer() {
    server.answer(404, "{\"error_code\":40403,\"message\":\"Schema 42 not found\"}");

    assertThatThrownBy(() -> client(Map.of()).schemaById(42))
        .isInstanceOf(UnknownSchemaIdException.class)
        .hasMessage("schema id 42 is not registered at " + server.url());
  }

  @Test
  void aSchemaMissingUnderTheSubjectIsNotRegistered() {
    server.answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");

    assertThatThrownBy(() -> client(Map.of()).lookup("media.events-value", MediaEvent.getClassSchema()))
        .isInstanceOf(SchemaNotRegisteredException.class)
        .hasMessage("schema dev.sieve.avro.MediaEvent is not registered under subject 'media.events-value' at "
            + server.url() + " (HTTP 404, error_code 40403: Schema not found)");
  }

  @Test
  void anErrorAnswerCarriesTheServersErrorCodeAndMessage() {
    server.answer(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}");

    Throwable error = catchThrowable(() -> client(Map.of()).register("media.events-value", MediaEvent.getClassSchema()));

    assertThat(error).isExactlyInstanceOf(SchemaRegistryException.class)
        .hasMessage("schema registry at " + server.url() + " rejected POST /subjects/media.events-value/versions: "
            + "HTTP 409, error_code 409: Schema being registered is incompatible");
    assertThat(((SchemaRegistryException) error).errorCode()).isEqualTo(409);
  }

  @Test
  void basicAuthCredentialsAreSentWithEveryRequest() {
    server.answer(200, SCHEMA_ANSWER);

    client(Map.of("basic.auth.user.info", "alice:s3cret")).schemaById(7);

    assertThat(server.requests().get(0).authorization())
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes()));
  }

  @Test
  void thePasswordAppearsInNoErrorAndNotInToString() {
    server.answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
    RestSchemaRegistry client = client(Map.of("basic.auth.user.info", "alice:s3cret"));

    Throwable error = catchThrowable(() -> client.register("media.events-value", MediaEvent.getClassSchema()));

    assertThat(error).hasMessageNotContaining("s3cret");
    assertThat(client.toString()).doesNotContain("s3cret");
  }

  @Test
  void aGatewayErrorIsRetried() {
    server.answer(503, "").answer(200, "{\"id\":7}");

    assertThat(client(Map.of()).register("media.events-value", MediaEvent.getClassSchema())).isEqualTo(7);
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void aPersistentGatewayErrorMakesTheRegistryUnavailableAfterTheRetries() {
    server.answer(503, "").answer(503, "").answer(503, "");

    assertThatThrownBy(() -> client(Map.of("max.retries", 2)).schemaById(7))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessage("schema registry at " + server.url() + " is unavailable after 3 attempt(s): HTTP 503");
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void aClosedPortMakesTheRegistryUnavailableNamingTheUrl() {
    String closed = "http://127.0.0.1:" + LoopbackPort.unused();

    assertThatThrownBy(() -> client(closed, Map.of()).schemaById(7))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessageStartingWith("schema registry at " + closed + " is unavailable after 3 attempt(s): ")
        .hasMessageContaining("ConnectException");
  }

  private RestSchemaRegistry client(Map<String, Object> settings) {
    return client(server.url(), settings);
  }

  private static RestSchemaRegistry client(String url, Map<String, Object> settings) {
    Map<String, Object> config = new HashMap<>(Map.of("retries.wait.ms", 1));
    config.putAll(settings);
    return new RestSchemaRegistry(url, new SchemaRegistryClientConfig(config));
  }

  private static String quoted(String text) {
    try {
      return new ObjectMapper().writeValueAsString(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
