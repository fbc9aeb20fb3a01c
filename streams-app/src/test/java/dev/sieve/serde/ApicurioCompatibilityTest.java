package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.avro.MediaEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The serde and REST client against a real Confluent-compatible server (Apicurio Registry). */
class ApicurioCompatibilityTest {
  @RegisterExtension
  static final ApicurioRegistry apicurio = new ApicurioRegistry();

  @Test
  void aRegisteredSchemaIsReadBackById() {
    RestSchemaRegistry registry = client();

    int id = registry.register("registered-value", MediaEvent.getClassSchema());

    assertThat(client().schemaById(id)).isEqualTo(MediaEvent.getClassSchema());
  }

  @Test
  void lookupFindsTheIdTheServerGaveAtRegistration() {
    int id = client().register("looked-up-value", MediaEvent.getClassSchema());

    assertThat(client().lookup("looked-up-value", MediaEvent.getClassSchema())).isEqualTo(id);
  }

  @Test
  void lookupOfAnUnregisteredSchemaIsNotRegistered() {
    assertThatThrownBy(() -> client().lookup("never-registered-value", MediaEvent.getClassSchema()))
        .isInstanceOf(SchemaNotRegisteredException.class)
        .hasMessageStartingWith("schema dev.sieve.avro.MediaEvent is not registered under subject "
            + "'never-registered-value' at " + apicurio.ccompatUrl() + " (HTTP 404, error_code 40401: ");
  }

  @Test
  void aMediaEventRoundTripsThroughTheSerdeWithAutoRegistration() {
    SpecificAvroSerde<MediaEvent> writing = serde();
    SpecificAvroSerde<MediaEvent> reading = serde();
    MediaEvent event = SampleRecords.mediaEvent();

    byte[] bytes = writing.serializer().serialize("roundtrip", event);

    assertThat(reading.deserializer().deserialize("roundtrip", bytes)).isEqualTo(event);
    assertThat(client().lookup("roundtrip-value", MediaEvent.getClassSchema())).isEqualTo(WireFormat.schemaId(bytes));
  }

  @Test
  void bytesOfAForeignProducerWithAnOlderSchemaAreDecoded() throws Exception {
    Schema older = OlderAndNewerSchemas.mediaEventWithout("scope", "attributes");
    int id = registerByRawHttp("foreign-value", older);

    MediaEvent read = deserializer().deserialize("foreign",
        HandEncoded.confluentBytes(id, older, OlderAndNewerSchemas.textEvent(older)));

    assertThat(read).isEqualTo(OlderAndNewerSchemas.textEventAsCurrent());
  }

  @Test
  void anIdTheServerDoesNotKnowIsAnUnknownSchemaId() {
    Throwable error = catchThrowable(() ->
        deserializer().deserialize("unknown", HandEncoded.confluentBytes(987_654, new byte[] {2, 'a'})));

    assertThat(error).isInstanceOf(RecordDecodingException.class)
        .hasMessage("schema id 987654 is not registered at " + apicurio.ccompatUrl())
        .hasCauseInstanceOf(UnknownSchemaIdException.class);
    assertThat(((RecordDecodingException) error).reason()).isEqualTo("unknown-schema-id");
  }

  private RestSchemaRegistry client() {
    return new RestSchemaRegistry(apicurio.ccompatUrl(), new SchemaRegistryClientConfig(Map.of()));
  }

  private SpecificAvroSerde<MediaEvent> serde() {
    SpecificAvroSerde<MediaEvent> serde = new SpecificAvroSerde<>();
    serde.configure(Map.of("schema.registry.url", apicurio.ccompatUrl()), false);
    return serde;
  }

  private Deserializer<MediaEvent> deserializer() {
    return serde().deserializer();
  }

  /** Registers as any other client would, without our code: the id is whatever the server says. */
  private int registerByRawHttp(String subject, Schema schema) throws IOException, InterruptedException {
    ObjectMapper json = new ObjectMapper();
    HttpRequest request = HttpRequest.newBuilder(URI.create(apicurio.ccompatUrl() + "/subjects/" + subject + "/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(BodyPublishers.ofString(json.createObjectNode().put("schema", schema.toString()).toString()))
        .build();
    HttpResponse<String> answer = HttpClient.newHttpClient().send(request, BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return json.readTree(answer.body()).get("id").asInt();
  }
}
