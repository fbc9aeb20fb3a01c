package dev.sieve.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-process schema registry with Confluent's semantics: global ids from 1, one id per distinct
 * schema whatever the subject, registering again returns the same id. Addressed as
 * {@code mem://<scope>}; like Confluent's {@code mock://}, one instance per scope lives for the
 * whole JVM, so serdes that Kafka instantiates by reflection share the registry of their run.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {
  static final String SCHEME = "mem://";

  private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

  private final String url;
  private final List<Schema> schemasById = new ArrayList<>();
  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<String, Set<Integer>> idsBySubject = new HashMap<>();

  private InMemorySchemaRegistry(String url) {
    this.url = url;
  }

  /** The registry of {@code scope}, the same instance on every call in this JVM. */
  public static InMemorySchemaRegistry named(String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry(SCHEME + s));
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    int id = idsBySchema.computeIfAbsent(schema, s -> {
      schemasById.add(s);
      return schemasById.size();
    });
    idsBySubject.computeIfAbsent(subject, s -> new LinkedHashSet<>()).add(id);
    return id;
  }

  @Override
  public synchronized int lookup(String subject, Schema schema) {
    Integer id = idsBySchema.get(schema);
    if (id == null || !idsBySubject.getOrDefault(subject, Set.of()).contains(id)) {
      throw new SchemaNotRegisteredException(
          "schema " + schema.getFullName() + " is not registered under subject '" + subject
              + "' at " + url, 40403);
    }
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    if (id < 1 || id > schemasById.size()) {
      throw new UnknownSchemaIdException(id, url);
    }
    return schemasById.get(id - 1);
  }

  @Override
  public String toString() {
    return url;
  }
}
