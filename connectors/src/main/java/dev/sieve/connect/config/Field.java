package dev.sieve.connect.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * One connector option, after Debezium's {@code Field}: name, type, default, validator, importance,
 * group and documentation in one value, so that the connector's {@link ConfigDef}, the errors a
 * user sees and the README's table all come from the same definition.
 */
public final class Field {

  private final String name;
  private final Type type;
  private final String group;
  private final Object defaultValue;
  private final Validator validator;
  private final Importance importance;
  private final String displayName;
  private final String doc;

  private Field(String name, Type type, String group, Object defaultValue, Validator validator,
      Importance importance, String displayName, String doc) {
    this.name = name;
    this.type = type;
    this.group = group;
    this.defaultValue = defaultValue;
    this.validator = validator;
    this.importance = importance;
    this.displayName = displayName;
    this.doc = doc;
  }

  /** A required option (no default) of medium importance; refine it with the {@code with...} methods. */
  public static Field create(String name, Type type, String group) {
    return new Field(name, type, group, ConfigDef.NO_DEFAULT_VALUE, null, Importance.MEDIUM, name, "");
  }

  public Field withDefault(Object value) {
    return new Field(name, type, group, value, validator, importance, displayName, doc);
  }

  public Field withValidator(Validator value) {
    return new Field(name, type, group, defaultValue, value, importance, displayName, doc);
  }

  public Field withImportance(Importance value) {
    return new Field(name, type, group, defaultValue, validator, value, displayName, doc);
  }

  public Field withDisplayName(String value) {
    return new Field(name, type, group, defaultValue, validator, importance, value, doc);
  }

  public Field withDoc(String value) {
    return new Field(name, type, group, defaultValue, validator, importance, displayName, value);
  }

  public String name() {
    return name;
  }

  /**
   * {@code base} (copied) with every field added in order, numbered within its group as the
   * Connect REST API and UIs show them.
   */
  public static ConfigDef define(ConfigDef base, List<Field> fields) {
    ConfigDef definition = new ConfigDef(base);
    Map<String, Integer> order = new HashMap<>();
    for (Field f : fields) {
      int position = order.merge(f.group, 1, Integer::sum);
      Width width = f.type == Type.LIST || f.type == Type.STRING ? Width.LONG : Width.SHORT;
      definition.define(f.name, f.type, f.defaultValue, f.validator, f.importance, f.doc, f.group,
          position, width, f.displayName);
    }
    return definition;
  }
}
