package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.MediaEvent;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SchemaRegistryServerTest {

  @Test
  void aRestClientRegistersLooksUpAndFetchesSchemasOfTheServedInProcessRegistry() {
    String scope = "served-" + UUID.randomUUID();
    try (SchemaRegistryServer server = new SchemaRegistryServer(scope)) {
      SchemaRegistry client = SchemaRegistries.forUrl(server.url(), Map.of());
      SchemaRegistry other = SchemaRegistries.forUrl(server.url(), Map.of());

      int id = client.register("events-value", MediaEvent.getClassSchema());

      assertThat(other.lookup("events-value", MediaEvent.getClassSchema())).isEqualTo(id);
      assertThat(other.schemaById(id)).isEqualTo(MediaEvent.getClassSchema());
      assertThat(InMemorySchemaRegistry.named(scope).schemaById(id)).isEqualTo(MediaEvent.getClassSchema());
      assertThat(client.register("flags-value", DuplicateFlag.getClassSchema())).isNotEqualTo(id);
    }
  }

  @Test
  void unknownIdsAndUnregisteredSchemasAreConfluentErrors() {
    try (SchemaRegistryServer server = new SchemaRegistryServer("served-" + UUID.randomUUID())) {
      SchemaRegistry client = SchemaRegistries.forUrl(server.url(), Map.of());

      assertThatThrownBy(() -> client.schemaById(42)).isInstanceOf(UnknownSchemaIdException.class);
      assertThatThrownBy(() -> client.lookup("events-value", MediaEvent.getClassSchema()))
          .isInstanceOfSatisfying(SchemaNotRegisteredException.class,
              e -> assertThat(e.errorCode()).isEqualTo(40403));
    }
  }
}
