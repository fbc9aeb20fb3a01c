package dev.sieve.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaRegistriesTest {

  @Test
  void anHttpUrlGivesARestClientForThatUrl() {
    SchemaRegistry registry = SchemaRegistries.forUrl("http://127.0.0.1:8081/apis/ccompat/v7", Map.of());

    assertThat(registry).isInstanceOf(RestSchemaRegistry.class);
    assertThat(registry).hasToString("http://127.0.0.1:8081/apis/ccompat/v7");
  }

  @Test
  void anHttpsUrlGivesARestClient() {
    assertThat(SchemaRegistries.forUrl("https://registry.example.com", Map.of()))
        .isInstanceOf(RestSchemaRegistry.class);
  }

  @Test
  void aMemUrlGivesTheInMemoryRegistryOfItsScope() {
    assertThat(SchemaRegistries.forUrl("mem://registries-test", Map.of()))
        .isSameAs(InMemorySchemaRegistry.named("registries-test"));
  }

  @Test
  void anotherSchemeIsRejectedNamingTheSetting() {
    assertThatThrownBy(() -> SchemaRegistries.forUrl("ftp://registry:21", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema.registry.url must be http(s)://host:port[/path] or mem://<scope>, "
            + "got 'ftp://registry:21'");
  }

  @Test
  void aUrlWithoutSchemeIsRejectedNamingTheSetting() {
    assertThatThrownBy(() -> SchemaRegistries.forUrl("localhost:8081", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("schema.registry.url must be");
  }

  @Test
  void credentialsInTheUrlAreRejectedWithoutQuotingThem() {
    assertThatThrownBy(() -> SchemaRegistries.forUrl("http://alice:s3cret@127.0.0.1:8081", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema.registry.url must not contain credentials; set basic.auth.user.info instead");
  }
}
