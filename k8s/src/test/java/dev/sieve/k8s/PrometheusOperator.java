package dev.sieve.k8s;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Objects;

/**
 * The Prometheus operator's {@code PodMonitor} (monitoring.coreos.com/v1), as far as Sieve uses it;
 * records after its CRD schema, parsed strictly like {@link Keda}'s.
 */
final class PrometheusOperator {

  static final String API_VERSION = "monitoring.coreos.com/v1";

  private PrometheusOperator() {
  }

  record PodMonitor(String apiVersion, String kind, ObjectMeta metadata, PodMonitorSpec spec) {
    PodMonitor {
      Objects.requireNonNull(spec, "spec");
    }
  }

  record PodMonitorSpec(LabelSelector selector, NamespaceSelector namespaceSelector, String jobLabel,
      List<String> podTargetLabels, List<MetricsEndpoint> podMetricsEndpoints) {
    PodMonitorSpec {
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(podMetricsEndpoints, "podMetricsEndpoints");
    }
  }

  record NamespaceSelector(Boolean any, List<String> matchNames) {
  }

  record MetricsEndpoint(String port, String path, String scheme, String interval, String scrapeTimeout) {
    MetricsEndpoint {
      Objects.requireNonNull(port, "port");
    }
  }
}
