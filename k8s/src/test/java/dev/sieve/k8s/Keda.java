package dev.sieve.k8s;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * KEDA's resources (keda.sh/v1alpha1), as far as Sieve uses them. KEDA publishes no Java model:
 * these records follow the fields of its CRD schema, and parsing with unknown fields failing makes
 * them a strict check (a misspelt or misplaced field fails instead of being silently ignored).
 */
final class Keda {

  static final String API_VERSION = "keda.sh/v1alpha1";

  private Keda() {
  }

  record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {
    ScaledObject {
      Objects.requireNonNull(spec, "spec");
    }
  }

  record ScaledObjectSpec(ScaleTarget scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod,
      Integer initialCooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount, Integer maxReplicaCount,
      List<Trigger> triggers) {
    ScaledObjectSpec {
      Objects.requireNonNull(scaleTargetRef, "scaleTargetRef");
      Objects.requireNonNull(triggers, "triggers");
    }
  }

  record ScaleTarget(String apiVersion, String kind, String name, String envSourceContainerName) {
    ScaleTarget {
      Objects.requireNonNull(name, "name");
    }
  }

  record Trigger(String type, String name, Map<String, String> metadata, AuthenticationRef authenticationRef,
      String metricType, Boolean useCachedMetrics) {
    Trigger {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(metadata, "metadata");
    }
  }

  record AuthenticationRef(String name, String kind) {
    AuthenticationRef {
      Objects.requireNonNull(name, "name");
    }
  }

  record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthenticationSpec spec) {
    TriggerAuthentication {
      Objects.requireNonNull(spec, "spec");
    }
  }

  record TriggerAuthenticationSpec(List<SecretTargetRef> secretTargetRef, List<EnvTargetRef> env) {
  }

  record SecretTargetRef(String parameter, String name, String key) {
    SecretTargetRef {
      Objects.requireNonNull(parameter, "parameter");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(key, "key");
    }
  }

  record EnvTargetRef(String parameter, String name, String containerName) {
  }
}
