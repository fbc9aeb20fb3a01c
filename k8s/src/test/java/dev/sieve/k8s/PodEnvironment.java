package dev.sieve.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet hands it to the first pod of a StatefulSet: literal
 * values with {@code $(VAR)} references to earlier variables expanded, the pod's name and namespace
 * from the downward API, and a placeholder for each Secret value (named, never read).
 */
final class PodEnvironment {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /** A Secret's key a variable takes its value from. */
  record SecretKey(String variable, String secret, String key, boolean optional) {
  }

  private final Map<String, String> variables = new LinkedHashMap<>();
  private final List<SecretKey> secretKeys = new ArrayList<>();

  PodEnvironment(StatefulSet set, Container container) {
    String pod = set.getMetadata().getName() + "-0";
    String namespace = set.getMetadata().getNamespace();
    for (EnvVar variable : container.getEnv()) {
      String value = variable.getValueFrom() == null
          ? expand(variable.getValue() == null ? "" : variable.getValue())
          : fromSource(variable.getName(), variable.getValueFrom(), pod, namespace);
      variables.put(variable.getName(), value);
    }
  }

  Map<String, String> variables() {
    return Map.copyOf(variables);
  }

  List<SecretKey> secretKeys() {
    return List.copyOf(secretKeys);
  }

  private String expand(String value) {
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder expanded = new StringBuilder();
    while (matcher.find()) {
      // Kubernetes leaves a reference to an undefined variable as it is.
      String replacement = variables.getOrDefault(matcher.group(1), matcher.group());
      matcher.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
    }
    return matcher.appendTail(expanded).toString();
  }

  private String fromSource(String name, EnvVarSource source, String pod, String namespace) {
    if (source.getSecretKeyRef() != null) {
      var ref = source.getSecretKeyRef();
      secretKeys.add(new SecretKey(name, ref.getName(), ref.getKey(), Boolean.TRUE.equals(ref.getOptional())));
      return "secret:" + ref.getName() + "/" + ref.getKey();
    }
    if (source.getFieldRef() != null) {
      return switch (source.getFieldRef().getFieldPath()) {
        case "metadata.name" -> pod;
        case "metadata.namespace" -> namespace;
        default -> throw new IllegalArgumentException(name + ": unexpected field " + source.getFieldRef().getFieldPath());
      };
    }
    throw new IllegalArgumentException(name + ": only secretKeyRef and fieldRef sources are expected");
  }
}
