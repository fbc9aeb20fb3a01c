package dev.sieve.serde;

import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.specific.SpecificFixed;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Since Avro 1.12 (CVE-2024-47561) Avro loads a class named in a schema only if it is trusted,
 * and by default it trusts none of the generated ones, so no SpecificRecord could be read. This
 * trusts exactly the classes Avro generates (records, enums, fixed), which exist to be
 * instantiated from data, in addition to whatever the JVM already trusts.
 */
public final class GeneratedAvroClasses {
  private static boolean trusted;

  private GeneratedAvroClasses() {}

  public static synchronized void trustInSchemas() {
    if (!trusted) {
      ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
          ClassSecurityValidator.getGlobal(), GeneratedAvroClasses::isGenerated));
      trusted = true;
    }
  }

  private static boolean isGenerated(Class<?> type) {
    return SpecificRecord.class.isAssignableFrom(type)
        || (type.isEnum() && GenericEnumSymbol.class.isAssignableFrom(type))
        || SpecificFixed.class.isAssignableFrom(type);
  }
}
