package dev.sieve.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent schema registry protocol Sieve needs. Implementations: {@link
 * RestSchemaRegistry} (any Confluent-compatible server by URL) and {@link InMemorySchemaRegistry}
 * (in-process, for the default run and tests, addressed as {@code mem://<scope>}).
 */
public interface SchemaRegistry {

  /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
  int register(String subject, Schema schema);

  /** The id of {@code schema} already registered under {@code subject}, without registering it. */
  int lookup(String subject, Schema schema);

  /** The schema with global id {@code id}; {@link UnknownSchemaIdException} if there is none. */
  Schema schemaById(int id);
}
