package dev.sieve.serde;

/**
 * A schema looked up under a subject is not registered there (the serializer only looks up when
 * {@code auto.register.schemas} is false).
 */
public class SchemaNotRegisteredException extends SchemaRegistryException {

  public SchemaNotRegisteredException(String message, int errorCode) {
    super(message, errorCode);
  }

  public SchemaNotRegisteredException(String message, SchemaNotRegisteredException cause) {
    super(message, cause.errorCode(), cause);
  }
}
