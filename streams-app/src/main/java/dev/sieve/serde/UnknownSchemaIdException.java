package dev.sieve.serde;

/** No schema is registered under a global schema id. */
public class UnknownSchemaIdException extends SchemaRegistryException {
  private final int schemaId;

  public UnknownSchemaIdException(int schemaId, String registryUrl) {
    super("schema id " + schemaId + " is not registered at " + registryUrl, 40403);
    this.schemaId = schemaId;
  }

  public int schemaId() {
    return schemaId;
  }
}
