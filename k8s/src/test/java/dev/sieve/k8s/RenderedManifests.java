package dev.sieve.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.common.Constants;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The objects of one rendered overlay, each parsed into its typed model: fabric8's for Kubernetes'
 * own kinds, Strimzi's published API model for Strimzi's, {@link Keda} and {@link PrometheusOperator}
 * for the rest. Parsing is strict: a kind without a model, an unknown field, or a field the model
 * marks deprecated (Strimzi's v1 API drops them) is a {@linkplain #violations() violation}.
 */
final class RenderedManifests {

  /** apiVersion + kind → model. Strimzi resources are written in kafka.strimzi.io/v1 only. */
  private static final Map<String, Class<?>> MODELS = Map.ofEntries(
      Map.entry("v1/Service", Service.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
      Map.entry(strimzi(Kafka.RESOURCE_KIND), Kafka.class),
      Map.entry(strimzi(KafkaNodePool.RESOURCE_KIND), KafkaNodePool.class),
      Map.entry(strimzi(KafkaTopic.RESOURCE_KIND), KafkaTopic.class),
      Map.entry(strimzi(KafkaUser.RESOURCE_KIND), KafkaUser.class),
      Map.entry(strimzi(KafkaConnect.RESOURCE_KIND), KafkaConnect.class),
      Map.entry(strimzi(KafkaConnector.RESOURCE_KIND), KafkaConnector.class),
      Map.entry(Keda.API_VERSION + "/ScaledObject", Keda.ScaledObject.class),
      Map.entry(Keda.API_VERSION + "/TriggerAuthentication", Keda.TriggerAuthentication.class),
      Map.entry(PrometheusOperator.API_VERSION + "/PodMonitor", PrometheusOperator.PodMonitor.class));

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .build();

  private final List<Object> objects = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();

  RenderedManifests(List<JsonNode> documents) {
    for (JsonNode document : documents) {
      String apiVersion = document.path("apiVersion").asText();
      String kind = document.path("kind").asText();
      String name = kind + " " + document.path("metadata").path("name").asText();
      Class<?> model = MODELS.get(apiVersion + "/" + kind);
      if (model == null) {
        violations.add(name + ": no model for apiVersion " + apiVersion + " (known: " + MODELS.keySet() + ")");
        continue;
      }
      try {
        Object parsed = STRICT.treeToValue(document, model);
        // Jackson's any-setter swallows unknown fields into additionalProperties: look there too.
        findUnknownOrDeprecated(parsed, name, violations);
        objects.add(parsed);
      } catch (JsonProcessingException e) {
        violations.add(name + ": " + e.getOriginalMessage());
      }
    }
  }

  private static String strimzi(String kind) {
    return Constants.RESOURCE_GROUP_NAME + "/" + Constants.V1 + "/" + kind;
  }

  /** Objects that did not parse, or parsed with unknown or deprecated fields. */
  List<String> violations() {
    return List.copyOf(violations);
  }

  <T> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
    return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
  }

  /**
   * Walks a parsed model's properties (getters of fabric8 and Strimzi classes) and records every
   * non-empty {@code additionalProperties} map and every set property whose getter is deprecated.
   */
  static void findUnknownOrDeprecated(Object value, String path, List<String> found) {
    if (value == null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        findUnknownOrDeprecated(item, path + "[" + i++ + "]", found);
      }
      return;
    }
    if (value instanceof Map<?, ?> entries) {
      entries.forEach((key, item) -> findUnknownOrDeprecated(item, path + "." + key, found));
      return;
    }
    if (!isModel(value.getClass())) {
      return;
    }
    List<Method> getters = new ArrayList<>(List.of(value.getClass().getMethods()));
    getters.sort(Comparator.comparing(Method::getName));
    for (Method getter : getters) {
      if (!isGetter(getter)) {
        continue;
      }
      Object property = invoke(getter, value);
      String name = propertyName(getter);
      if (name.equals("additionalProperties")) {
        if (property instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
          found.add(path + ": unknown field(s) " + unknown.keySet());
        }
      } else if (isSet(property) && getter.isAnnotationPresent(Deprecated.class)) {
        found.add(path + "." + name + ": deprecated field");
      } else {
        findUnknownOrDeprecated(property, path + "." + name, found);
      }
    }
  }

  private static boolean isModel(Class<?> type) {
    String pkg = type.getPackageName();
    return (pkg.startsWith("io.fabric8.kubernetes.api.model") || pkg.startsWith("io.strimzi.api")) && !type.isEnum();
  }

  private static boolean isGetter(Method method) {
    return method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers()) && !method.isBridge()
        && method.getDeclaringClass() != Object.class
        && (method.getName().startsWith("get") || method.getName().startsWith("is"))
        && isModel(method.getDeclaringClass());
  }

  private static String propertyName(Method getter) {
    String bare = getter.getName().substring(getter.getName().startsWith("is") ? 2 : 3);
    return bare.isEmpty() ? bare : Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
  }

  private static boolean isSet(Object property) {
    return property != null && !(property instanceof Collection<?> c && c.isEmpty())
        && !(property instanceof Map<?, ?> m && m.isEmpty());
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + getter + " of " + target.getClass().getName(), e);
    }
  }
}
