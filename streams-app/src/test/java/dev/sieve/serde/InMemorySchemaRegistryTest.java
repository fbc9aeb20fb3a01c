package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.avro.CategoryResult;
import dev.sieve.avro.MediaEvent;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {
  private final String scope = "registry-test-" + UUID.randomUUID();
  private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.named(scope);

  @Test
  void idsAreGlobalAndStartAtOne() {
    assertThat(registry.register("media.events-value", MediaEvent.getClassSchema())).isEqualTo(1);
    assertThat(registry.register("media.categories-value", CategoryResult.getClassSchema())).isEqualTo(2);
  }

  @Test
  void registeringTheSameSchemaAgainReturnsItsId() {
    int first = registry.register("media.events-value", MediaEvent.getClassSchema());

    assertThat(registry.register("media.events-value", MediaEvent.getClassSchema())).isEqualTo(first);
  }

  @Test
  void theSameSchemaUnderAnotherSubjectKeepsItsId() {
    int id = registry.register("media.events-value", MediaEvent.getClassSchema());

    assertThat(registry.register("media.events.retry-value", MediaEvent.getClassSchema())).isEqualTo(id);
  }

  @Test
  void lookupFindsTheIdOfARegisteredSchema() {
    int id = registry.register("media.events-value", MediaEvent.getClassSchema());

    assertThat(registry.lookup("media.events-value", MediaEvent.getClassSchema())).isEqualTo(id);
  }

  @Test
  void lookupUnderASubjectWithoutTheSchemaFails() {
    registry.register("media.events-value", MediaEvent.getClassSchema());

    assertThatThrownBy(() -> registry.lookup("other-value", MediaEvent.getClassSchema()))
        .isInstanceOf(SchemaNotRegisteredException.class)
        .hasMessage("schema dev.sieve.avro.MediaEvent is not registered under subject 'other-value' at mem://"
            + scope);
  }

  @Test
  void schemaByIdReturnsTheRegisteredSchema() {
    int id = registry.register("media.events-value", MediaEvent.getClassSchema());

    assertThat(registry.schemaById(id)).isEqualTo(MediaEvent.getClassSchema());
  }

  @Test
  void anUnknownIdNamesTheIdAndTheRegistry() {
    assertThatThrownBy(() -> registry.schemaById(42))
        .isInstanceOf(UnknownSchemaIdException.class)
        .hasMessage("schema id 42 is not registered at mem://" + scope);
  }

  @Test
  void aScopeNamesOneRegistryForTheWholeJvm() {
    assertThat(InMemorySchemaRegistry.named(scope)).isSameAs(registry);
  }
}
