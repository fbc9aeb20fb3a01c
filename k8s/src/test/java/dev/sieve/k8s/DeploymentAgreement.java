package dev.sieve.k8s;

import dev.sieve.config.ConfigSources;
import dev.sieve.config.SieveConfig;
import dev.sieve.embed.gemini.GeminiEmbeddingProvider;
import dev.sieve.embed.gemini.GeminiSettings;
import dev.sieve.http.HttpSettings;
import dev.sieve.runtime.TopicSpec;
import dev.sieve.serde.SpecificAvroSerdeConfig;
import dev.sieve.service.SieveService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.common.authentication.KafkaClientAuthenticationScramSha512;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connect.build.DownloadableArtifact;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.kafka.listener.KafkaListenerAuthenticationScramSha512;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Whether a rendered overlay runs the application the way its own configuration says it must: the
 * pod's environment makes a valid {@link SieveConfig}, and the image, ports, probe paths, topics,
 * ACLs, scaling bounds and connectors follow from that configuration, {@link HttpSettings} and
 * {@link SieveService#topicSpecs}. Each disagreement is one readable violation.
 */
final class DeploymentAgreement {

  static final String APP = "sieve";
  static final String TOPIC_LABEL = "app.kubernetes.io/component";
  static final String TOPIC_LABEL_VALUE = "sieve-topic";
  static final String CLUSTER_LABEL = "strimzi.io/cluster";
  static final Set<String> CONNECTOR_CLASSES = Set.of(
      "dev.sieve.connect.media.MediaSourceConnector",
      "dev.sieve.connect.moderation.ModerationActionSinkConnector",
      "dev.sieve.connect.labels.LabelsSourceConnector");

  static final String GEMINI_KEY_VARIABLE = "GEMINI_API_KEY";

  /** Variables the pod may set besides SIEVE_* and KAFKA_* settings, and who reads them. */
  static final Map<String, String> OTHER_VARIABLES = Map.of(
      "POD_NAME", "downward API, referenced by KAFKA_APPLICATION_SERVER",
      "POD_NAMESPACE", "downward API, referenced by KAFKA_APPLICATION_SERVER",
      GEMINI_KEY_VARIABLE, "the Gemini provider's key (GeminiSettings)",
      "DJL_CACHE_DIR", "where the tokenizer's native library unpacks",
      "JAVA_TOOL_OPTIONS", "the JVM");

  private static final List<String> CLIENT_PREFIXES = List.of("", "producer.", "consumer.", "main.consumer.",
      "restore.consumer.", "global.consumer.", "admin.");

  /**
   * What an overlay is expected to have beyond what the application's configuration implies.
   *
   * @param image the image the build pushes (name:tag)
   * @param version the build's version, in the connector plugin's file name
   * @param minStandbyReplicas least {@code num.standby.replicas}
   * @param outOfBandSecrets Secrets the pod needs that are created outside the manifests
   */
  record Expectation(String image, String version, int minStandbyReplicas, Set<String> outOfBandSecrets) {
  }

  private final RenderedManifests manifests;
  private final Expectation expected;
  private final List<String> violations = new ArrayList<>();

  private DeploymentAgreement(RenderedManifests manifests, Expectation expected) {
    this.manifests = manifests;
    this.expected = expected;
  }

  static List<String> violations(RenderedManifests manifests, Expectation expected) {
    DeploymentAgreement agreement = new DeploymentAgreement(manifests, expected);
    agreement.check();
    return List.copyOf(agreement.violations);
  }

  private void check() {
    Optional<StatefulSet> found = manifests.named(StatefulSet.class, APP);
    if (found.isEmpty()) {
      violations.add("no StatefulSet " + APP);
      return;
    }
    StatefulSet set = found.get();
    Container container = set.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(APP)).findFirst().orElse(null);
    if (container == null) {
      violations.add("StatefulSet " + APP + " has no container " + APP);
      return;
    }
    require(expected.image().equals(container.getImage()), "image is " + container.getImage()
        + ", the build pushes " + expected.image());
    require(List.of("run").equals(container.getArgs()), "container args are " + container.getArgs() + ", not [run]");

    PodEnvironment environment = new PodEnvironment(set, container);
    checkVariableNames(environment.variables());
    SieveConfig config;
    try {
      config = new ConfigSources().environment(environment.variables()).toConfig();
    } catch (ConfigException e) {
      violations.add("the pod's environment is not a valid configuration: " + e.getMessage());
      return;
    }
    Map<String, String> podLabels = set.getSpec().getTemplate().getMetadata().getLabels();
    checkHttp(set, container, config.httpSettings(), podLabels);
    checkApplicationServer(set, config);
    checkStorageAndSecurity(set, container, config.streamsProperties());
    checkKafkaAccess(set, container, config, environment);
    checkTopics(config);
    checkUser(config);
    checkAutoscaling(config);
    checkRegistry(config);
    checkSecrets(environment);
    checkGeminiKey(config, environment);
    checkConnectors();
    checkConnectorConfigs(config);
  }

  private void checkVariableNames(Map<String, String> variables) {
    Set<String> clientSettings = new HashSet<>(StreamsConfig.configDef().names());
    clientSettings.addAll(ConsumerConfig.configNames());
    clientSettings.addAll(ProducerConfig.configNames());
    clientSettings.addAll(AdminClientConfig.configNames());
    for (String variable : variables.keySet()) {
      if (variable.startsWith("KAFKA_")) {
        String setting = variable.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        boolean known = CLIENT_PREFIXES.stream().anyMatch(prefix ->
            setting.startsWith(prefix) && clientSettings.contains(setting.substring(prefix.length())));
        require(known, variable + " sets " + setting + ", which is no Kafka Streams or client setting");
      } else if (!variable.startsWith("SIEVE_")) {
        // SIEVE_* names are checked by SieveConfig itself (unknown sieve.* settings are rejected).
        require(OTHER_VARIABLES.containsKey(variable), variable + " is read by nothing Sieve knows of");
      }
    }
  }

  private void checkHttp(StatefulSet set, Container container, HttpSettings http, Map<String, String> podLabels) {
    require(http.enabled(), HttpSettings.PORT + " turns the HTTP server off; probes need it");
    require("0.0.0.0".equals(http.host()), HttpSettings.HOST + " is " + http.host()
        + ": probes and other instances cannot reach it; use 0.0.0.0");
    require(http.token() != null, HttpSettings.TOKEN + " is not set: query endpoints would answer 403");
    Optional<ContainerPort> port = container.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst();
    require(port.isPresent() && port.get().getContainerPort() == http.port(), "container port 'http' is "
        + port.map(ContainerPort::getContainerPort).orElse(null) + ", " + HttpSettings.PORT + " is " + http.port());
    checkProbe("startup", container.getStartupProbe(), HttpSettings.LIVE_PATH);
    checkProbe("liveness", container.getLivenessProbe(), HttpSettings.LIVE_PATH);
    checkProbe("readiness", container.getReadinessProbe(), HttpSettings.READY_PATH);

    Optional<Service> headless = manifests.named(Service.class, set.getSpec().getServiceName());
    if (headless.isEmpty()) {
      violations.add("no Service " + set.getSpec().getServiceName() + " (the StatefulSet's serviceName)");
    } else {
      Service service = headless.get();
      require("None".equals(service.getSpec().getClusterIP()), "Service " + service.getMetadata().getName()
          + " is not headless (clusterIP None): instances need their own DNS names");
      require(selects(service.getSpec().getSelector(), podLabels), "Service " + service.getMetadata().getName()
          + " does not select the app's pods");
      require(service.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == http.port()
              && new IntOrString("http").equals(p.getTargetPort())),
          "Service " + service.getMetadata().getName() + " has no port " + http.port() + " → 'http'");
    }
    List<PrometheusOperator.PodMonitor> monitors = manifests.all(PrometheusOperator.PodMonitor.class).stream()
        .filter(m -> selects(m.spec().selector(), podLabels)).toList();
    require(!monitors.isEmpty(), "no PodMonitor selects the app's pods");
    monitors.forEach(m -> m.spec().podMetricsEndpoints().forEach(endpoint -> require(
        "http".equals(endpoint.port()) && HttpSettings.METRICS_PATH.equals(endpoint.path()),
        "PodMonitor " + m.metadata().getName() + " scrapes " + endpoint.port() + endpoint.path()
            + ", not http" + HttpSettings.METRICS_PATH)));
    List<PodDisruptionBudget> budgets = manifests.all(PodDisruptionBudget.class).stream()
        .filter(b -> selects(b.getSpec().getSelector(), podLabels)).toList();
    require(budgets.size() == 1, budgets.size() + " PodDisruptionBudgets select the app's pods, not 1");
    List<NetworkPolicy> policies = manifests.all(NetworkPolicy.class).stream()
        .filter(p -> selects(p.getSpec().getPodSelector(), podLabels)).toList();
    require(!policies.isEmpty(), "no NetworkPolicy selects the app's pods");
    policies.forEach(p -> require(p.getSpec().getIngress().stream().flatMap(rule -> rule.getPorts().stream())
            .anyMatch(rule -> new IntOrString("http").equals(rule.getPort())
                || new IntOrString(http.port()).equals(rule.getPort())),
        "NetworkPolicy " + p.getMetadata().getName() + " lets nothing in to the HTTP port"));
  }

  private void checkProbe(String kind, Probe probe, String path) {
    boolean agrees = probe != null && probe.getHttpGet() != null && path.equals(probe.getHttpGet().getPath())
        && new IntOrString("http").equals(probe.getHttpGet().getPort());
    require(agrees, kind + " probe must be GET " + path + " on port 'http', is "
        + (probe == null || probe.getHttpGet() == null ? "missing"
            : probe.getHttpGet().getPath() + " on " + probe.getHttpGet().getPort().getValue()));
  }

  private void checkApplicationServer(StatefulSet set, SieveConfig config) {
    Object server = config.streamsProperties().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
    String expectedHost = set.getMetadata().getName() + "-0." + set.getSpec().getServiceName() + "."
        + set.getMetadata().getNamespace() + ".svc";
    String expectedServer = expectedHost + ":" + config.httpSettings().port();
    require(expectedServer.equals(server), StreamsConfig.APPLICATION_SERVER_CONFIG + " of the first pod is "
        + server + ", should be its name under the headless Service, " + expectedServer);
  }

  private void checkStorageAndSecurity(StatefulSet set, Container container, Properties streams) {
    String stateDir = String.valueOf(streams.get(StreamsConfig.STATE_DIR_CONFIG));
    Set<String> claims = set.getSpec().getVolumeClaimTemplates().stream().map(c -> c.getMetadata().getName())
        .collect(Collectors.toSet());
    require(mountUnder(container, stateDir).filter(claims::contains).isPresent(),
        StreamsConfig.STATE_DIR_CONFIG + " " + stateDir + " is not on a volume claim template");
    require(mountUnder(container, "/tmp").isPresent(), "/tmp is not a writable volume (native libraries unpack there)");
    var pod = set.getSpec().getTemplate().getSpec().getSecurityContext();
    var own = container.getSecurityContext();
    require(pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot()), "the pod may run as root");
    require(own != null && Boolean.TRUE.equals(own.getReadOnlyRootFilesystem()), "the root file system is writable");
    require(own != null && Boolean.FALSE.equals(own.getAllowPrivilegeEscalation()), "privilege escalation is allowed");
    int standbys = Integer.parseInt(String.valueOf(streams.getOrDefault(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0")));
    require(standbys >= expected.minStandbyReplicas(), StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG + " is " + standbys
        + ", at least " + expected.minStandbyReplicas() + " expected");
  }

  private static Optional<String> mountUnder(Container container, String path) {
    return container.getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
        .filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
        .map(VolumeMount::getName).findFirst();
  }

  /**
   * bootstrap.servers names a listener of the rendered Kafka cluster, and the client's security
   * settings are what that listener requires, as the user whose Secret holds the credentials.
   */
  private void checkKafkaAccess(StatefulSet set, Container container, SieveConfig config, PodEnvironment environment) {
    Optional<GenericKafkaListener> listener = listener("bootstrap.servers", config.bootstrapServers());
    if (listener.isEmpty()) {
      return;
    }
    boolean scram = listener.get().getAuth() instanceof KafkaListenerAuthenticationScramSha512;
    String protocol = (scram ? "SASL_" : "") + (listener.get().isTls() ? "SSL" : "PLAINTEXT");
    Properties client = config.streamsProperties();
    require(protocol.equals(client.getProperty("security.protocol", "PLAINTEXT")), "listener "
        + listener.get().getName() + " needs security.protocol " + protocol + ", the app has "
        + client.getProperty("security.protocol", "PLAINTEXT"));
    if (scram) {
      require("SCRAM-SHA-512".equals(client.getProperty("sasl.mechanism")), "listener " + listener.get().getName()
          + " needs sasl.mechanism SCRAM-SHA-512, the app has " + client.getProperty("sasl.mechanism"));
      Optional<PodEnvironment.SecretKey> credentials = environment.secretKeys().stream()
          .filter(k -> k.variable().equals("KAFKA_SASL_JAAS_CONFIG")).findFirst();
      require(credentials.isPresent() && manifests.named(KafkaUser.class, credentials.get().secret())
              .filter(u -> u.getSpec().getAuthentication() instanceof KafkaUserScramSha512ClientAuthentication)
              .isPresent() && credentials.get().key().equals("sasl.jaas.config"),
          "sasl.jaas.config must come from the Secret of a SCRAM-SHA-512 KafkaUser (key sasl.jaas.config)");
    }
    if (listener.get().isTls()) {
      checkTruststore(set, container, client);
    }
  }

  /**
   * On a TLS listener the client trusts the cluster CA as KafkaSecurityTest does: ssl.truststore.location
   * is a file of a volume mounted from the Secret {@code <cluster>-cluster-ca-cert}, and its type fits
   * the file (Strimzi's ca.crt is PEM, ca.p12 PKCS12).
   */
  private void checkTruststore(StatefulSet set, Container container, Properties client) {
    String location = client.getProperty("ssl.truststore.location");
    if (location == null) {
      violations.add("the listener is TLS, ssl.truststore.location is not set");
      return;
    }
    String caSecret = client.getProperty("bootstrap.servers").split("-kafka-bootstrap")[0] + "-cluster-ca-cert";
    Optional<String> secret = container.getVolumeMounts().stream()
        .filter(m -> location.startsWith(m.getMountPath() + "/"))
        .flatMap(m -> set.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals(m.getName()) && v.getSecret() != null))
        .map(v -> v.getSecret().getSecretName()).findFirst();
    require(secret.filter(caSecret::equals).isPresent(), "ssl.truststore.location " + location
        + " is not on a volume of the Secret " + caSecret + ", the cluster CA");
    String type = client.getProperty("ssl.truststore.type", "JKS");
    String expectedType = location.endsWith(".crt") ? "PEM" : location.endsWith(".p12") ? "PKCS12" : type;
    require(expectedType.equals(type), "ssl.truststore.location " + location + " needs ssl.truststore.type "
        + expectedType + ", the app has " + type);
  }

  /** The listener of a rendered Kafka cluster that the first of {@code servers} names. */
  private Optional<GenericKafkaListener> listener(String setting, String servers) {
    String bootstrap = servers.split(",")[0].strip();
    int colon = bootstrap.lastIndexOf(':');
    String host = colon < 0 ? bootstrap : bootstrap.substring(0, colon);
    String port = colon < 0 ? "" : bootstrap.substring(colon + 1);
    Optional<GenericKafkaListener> listener = manifests.all(Kafka.class).stream()
        .filter(k -> host.equals(k.getMetadata().getName() + "-kafka-bootstrap"))
        .flatMap(k -> k.getSpec().getKafka().getListeners().stream())
        .filter(l -> port.equals(String.valueOf(l.getPort()))).findFirst();
    require(listener.isPresent(), setting + " " + bootstrap + " is no listener of a rendered Kafka cluster");
    return listener;
  }

  private void checkTopics(SieveConfig config) {
    Map<String, KafkaTopic> topics = manifests.all(KafkaTopic.class).stream()
        .collect(Collectors.toMap(DeploymentAgreement::topicName, t -> t));
    Set<String> needed = new TreeSet<>();
    for (TopicSpec spec : SieveService.topicSpecs(config)) {
      needed.add(spec.name());
      KafkaTopic topic = topics.get(spec.name());
      if (topic == null) {
        violations.add("no KafkaTopic " + spec.name());
        continue;
      }
      Map<String, Object> topicConfig = Objects.requireNonNullElse(topic.getSpec().getConfig(), Map.of());
      require(Objects.equals(topic.getSpec().getPartitions(), spec.partitions()), "KafkaTopic " + spec.name()
          + " has " + topic.getSpec().getPartitions() + " partitions, the app says " + spec.partitions());
      require(spec.replicationFactor() == TopicSpec.BROKER_DEFAULT_REPLICATION
              || Objects.equals(topic.getSpec().getReplicas(), (int) spec.replicationFactor()),
          "KafkaTopic " + spec.name() + " has " + topic.getSpec().getReplicas() + " replicas, the app says "
              + spec.replicationFactor());
      String policy = spec.config().getOrDefault("cleanup.policy", "delete");
      require(policy.equals(String.valueOf(topicConfig.getOrDefault("cleanup.policy", "delete"))),
          "KafkaTopic " + spec.name() + " has cleanup.policy " + topicConfig.getOrDefault("cleanup.policy", "delete")
              + ", the app needs " + policy);
      require(topicConfig.containsKey("retention.ms"), "KafkaTopic " + spec.name() + " sets no retention.ms");
      require(TOPIC_LABEL_VALUE.equals(topic.getMetadata().getLabels().get(TOPIC_LABEL)),
          "KafkaTopic " + spec.name() + " lacks the label " + TOPIC_LABEL + "=" + TOPIC_LABEL_VALUE);
    }
    topics.forEach((name, topic) -> require(needed.contains(name)
            || !TOPIC_LABEL_VALUE.equals(topic.getMetadata().getLabels().get(TOPIC_LABEL)),
        "KafkaTopic " + name + " is labelled as the app's but the app uses no such topic"));
  }

  private static String topicName(KafkaTopic topic) {
    return topic.getSpec().getTopicName() != null ? topic.getSpec().getTopicName() : topic.getMetadata().getName();
  }

  private void checkUser(SieveConfig config) {
    Optional<KafkaUser> user = manifests.named(KafkaUser.class, APP);
    if (user.isEmpty() || !(user.get().getSpec().getAuthorization() instanceof KafkaUserAuthorizationSimple simple)) {
      violations.add("no KafkaUser " + APP + " with simple authorization");
      return;
    }
    List<AclRule> acls = simple.getAcls();
    for (TopicSpec spec : SieveService.topicSpecs(config)) {
      require(acls.stream().anyMatch(a -> a.getResource() instanceof AclRuleTopicResource t
              && spec.name().equals(t.getName()) && t.getPatternType() == AclResourcePatternType.LITERAL),
          "KafkaUser " + APP + " has no ACL for topic " + spec.name());
    }
    String applicationId = config.applicationId();
    require(acls.stream().anyMatch(a -> a.getResource() instanceof AclRuleGroupResource g
            && applicationId.equals(g.getName()) && g.getPatternType() == AclResourcePatternType.LITERAL),
        "KafkaUser " + APP + " may not use group " + applicationId + " (application.id)");
    require(acls.stream().anyMatch(a -> a.getResource() instanceof AclRuleTopicResource t
            && (applicationId + "-").equals(t.getName()) && t.getPatternType() == AclResourcePatternType.PREFIX),
        "KafkaUser " + APP + " may not use internal topics " + applicationId + "-*");
    require(acls.stream().anyMatch(a -> a.getResource() instanceof AclRuleTransactionalIdResource t
            && (applicationId + "-").equals(t.getName()) && t.getPatternType() == AclResourcePatternType.PREFIX),
        "KafkaUser " + APP + " may not use transactional ids " + applicationId + "-* (exactly_once_v2)");
  }

  private void checkAutoscaling(SieveConfig config) {
    List<Keda.ScaledObject> scalers = manifests.all(Keda.ScaledObject.class).stream()
        .filter(s -> "StatefulSet".equals(s.spec().scaleTargetRef().kind()) && APP.equals(s.spec().scaleTargetRef().name()))
        .toList();
    if (scalers.size() != 1) {
      violations.add(scalers.size() + " ScaledObjects scale StatefulSet " + APP + ", not 1");
      return;
    }
    Keda.ScaledObjectSpec spec = scalers.get(0).spec();
    String events = config.getString(SieveConfig.TOPIC_EVENTS);
    Optional<Keda.Trigger> lag = spec.triggers().stream().filter(t -> "kafka".equals(t.type())).findFirst();
    require(lag.isPresent() && events.equals(lag.get().metadata().get("topic"))
            && config.applicationId().equals(lag.get().metadata().get("consumerGroup"))
            && config.bootstrapServers().equals(lag.get().metadata().get("bootstrapServers")),
        "the ScaledObject's kafka trigger must watch topic " + events + ", group " + config.applicationId()
            + " on " + config.bootstrapServers() + "; it has " + lag.map(Keda.Trigger::metadata).orElse(null));
    Integer partitions = manifests.all(KafkaTopic.class).stream().filter(t -> events.equals(topicName(t)))
        .findFirst().map(t -> t.getSpec().getPartitions()).orElse(null);
    require(Objects.equals(spec.maxReplicaCount(), partitions), "ScaledObject maxReplicaCount is "
        + spec.maxReplicaCount() + ", " + events + " has " + partitions + " partitions");
  }

  private void checkRegistry(SieveConfig config) {
    URI registry = URI.create(config.getString(SieveConfig.REGISTRY_URL));
    require(manifests.all(Service.class).stream().anyMatch(s -> s.getMetadata().getName().equals(registry.getHost())
            && s.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == registry.getPort())),
        SieveConfig.REGISTRY_URL + " " + registry + " names no rendered Service and port");
  }

  private void checkSecrets(PodEnvironment environment) {
    Map<String, Secret> rendered = manifests.all(Secret.class).stream()
        .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s));
    Set<String> madeByStrimzi = new HashSet<>();
    manifests.all(KafkaUser.class).forEach(u -> madeByStrimzi.add(u.getMetadata().getName()));
    manifests.all(Kafka.class)
        .forEach(k -> madeByStrimzi.add(k.getMetadata().getName() + "-cluster-ca-cert"));
    for (PodEnvironment.SecretKey ref : environment.secretKeys()) {
      Secret secret = rendered.get(ref.secret());
      if (secret != null) {
        Set<String> keys = new HashSet<>();
        keys.addAll(Objects.requireNonNullElse(secret.getData(), Map.<String, String>of()).keySet());
        keys.addAll(Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of()).keySet());
        require(ref.optional() || keys.contains(ref.key()), "Secret " + ref.secret() + " has no key " + ref.key());
      } else {
        require(madeByStrimzi.contains(ref.secret()) || expected.outOfBandSecrets().contains(ref.secret()),
            "Secret " + ref.secret() + " is neither rendered, made by Strimzi, nor documented as created by hand");
      }
    }
    expected.outOfBandSecrets().forEach(name -> require(!rendered.containsKey(name),
        "Secret " + name + " is rendered, but is to be created by hand (its values stay out of git)"));
  }

  /** With the Gemini provider on an API key (not Vertex AI), a missing key must stop the pod from starting. */
  private void checkGeminiKey(SieveConfig config, PodEnvironment environment) {
    if (GeminiEmbeddingProvider.PROVIDER.equals(config.getString(SieveConfig.EMBED_PROVIDER))
        && config.getString(GeminiSettings.VERTEX_PROJECT) == null && config.getPassword(GeminiSettings.API_KEY) == null) {
      require(environment.secretKeys().stream().anyMatch(k -> k.variable().equals(GEMINI_KEY_VARIABLE) && !k.optional()),
          "the Gemini provider needs " + GEMINI_KEY_VARIABLE + " from a Secret, not optional");
    }
  }

  private void checkConnectors() {
    for (KafkaConnect connect : manifests.all(KafkaConnect.class)) {
      String name = "KafkaConnect " + connect.getMetadata().getName();
      listener(name + " bootstrapServers", connect.getSpec().getBootstrapServers()).ifPresent(listener -> {
        boolean scram = listener.getAuth() instanceof KafkaListenerAuthenticationScramSha512;
        require(scram == connect.getSpec().getAuthentication() instanceof KafkaClientAuthenticationScramSha512,
            name + " and listener " + listener.getName() + " disagree on SCRAM-SHA-512");
        require(!listener.isTls() || connect.getSpec().getTls() != null,
            name + " does not trust the cluster CA, but listener " + listener.getName() + " uses TLS");
        if (connect.getSpec().getAuthentication() instanceof KafkaClientAuthenticationScramSha512 auth) {
          require(manifests.named(KafkaUser.class, auth.getUsername()).isPresent(),
              name + " logs in as " + auth.getUsername() + ", which is no rendered KafkaUser");
        }
      });
    }
    Set<String> classes = manifests.all(KafkaConnector.class).stream().map(c -> c.getSpec().getClassName())
        .collect(Collectors.toCollection(TreeSet::new));
    require(classes.equals(new TreeSet<>(CONNECTOR_CLASSES)), "KafkaConnectors run " + classes + ", expected "
        + new TreeSet<>(CONNECTOR_CLASSES));
    Set<String> clusters = manifests.all(KafkaConnect.class).stream().map(c -> c.getMetadata().getName())
        .collect(Collectors.toSet());
    manifests.all(KafkaConnector.class).forEach(c -> require(clusters.contains(c.getMetadata().getLabels().get(CLUSTER_LABEL)),
        "KafkaConnector " + c.getMetadata().getName() + " names no rendered KafkaConnect in " + CLUSTER_LABEL));
    String plugin = "/sieve-connectors-" + expected.version() + "-plugin.zip";
    manifests.all(KafkaConnect.class).forEach(connect -> require(connect.getSpec().getBuild() != null
            && connect.getSpec().getBuild().getPlugins().stream().flatMap(p -> p.getArtifacts().stream())
                .anyMatch(a -> a instanceof DownloadableArtifact d && d.getUrl().endsWith(plugin)),
        "KafkaConnect " + connect.getMetadata().getName() + " does not build in " + plugin.substring(1)));
  }

  /**
   * Each KafkaConnector's options pass its connector's own validation, and name the topics and
   * the registry the application uses; secrets come from mounted Secrets that exist.
   */
  private void checkConnectorConfigs(SieveConfig app) {
    Map<String, String> appTopics = Map.of(
        "dev.sieve.connect.media.MediaSourceConnector", app.getString(SieveConfig.TOPIC_EVENTS),
        "dev.sieve.connect.labels.LabelsSourceConnector", app.getString(SieveConfig.TOPIC_LABELS));
    Set<String> sinkTopics = Set.of(app.getString(SieveConfig.TOPIC_MODERATION), app.getString(SieveConfig.TOPIC_DUPLICATES));
    Set<String> declaredTopics = manifests.all(KafkaTopic.class).stream().map(t -> t.getMetadata().getName())
        .collect(Collectors.toSet());
    for (KafkaConnector resource : manifests.all(KafkaConnector.class)) {
      String name = "KafkaConnector " + resource.getMetadata().getName();
      Map<String, String> options = new TreeMap<>();
      Objects.requireNonNullElse(resource.getSpec().getConfig(), Map.<String, Object>of())
          .forEach((key, value) -> options.put(key, String.valueOf(value)));
      Connector connector;
      try {
        connector = (Connector) Class.forName(resource.getSpec().getClassName()).getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        violations.add(name + " runs " + resource.getSpec().getClassName() + ", which is no connector: " + e);
        continue;
      }
      // Connect's own options (topics, errors.*) are the worker's to check; the rest are the connector's.
      Map<String, String> own = new TreeMap<>(options);
      own.keySet().removeIf(key -> key.equals("topics") || key.startsWith("errors."));
      own.keySet().stream().filter(key -> !connector.config().names().contains(key))
          .forEach(key -> violations.add(name + " sets " + key + ", which " + connector.getClass().getSimpleName()
              + " does not define"));
      connector.validate(own).configValues().forEach(value -> value.errorMessages()
          .forEach(error -> violations.add(name + " option " + value.name() + ": " + error)));
      require(Objects.equals(options.get(SpecificAvroSerdeConfig.SCHEMA_REGISTRY_URL), app.getString(SieveConfig.REGISTRY_URL)),
          name + " uses registry " + options.get(SpecificAvroSerdeConfig.SCHEMA_REGISTRY_URL) + ", the app "
              + app.getString(SieveConfig.REGISTRY_URL));
      String appTopic = appTopics.get(resource.getSpec().getClassName());
      if (appTopic != null) {
        require(appTopic.equals(options.getOrDefault("topic", connector.config().defaultValues().get("topic").toString())),
            name + " writes " + options.get("topic") + ", the app reads " + appTopic);
      } else {
        require(options.containsKey("topics") && sinkTopics.containsAll(List.of(options.get("topics").split("\\s*,\\s*"))),
            name + " reads " + options.get("topics") + ", not among the app's result topics " + sinkTopics);
        String dlq = options.get("errors.deadletterqueue.topic.name");
        require(dlq == null || declaredTopics.contains(dlq), name + " dead-letters to " + dlq + ", which no KafkaTopic declares");
      }
    }
    Set<String> rendered = manifests.all(Secret.class).stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
    manifests.all(KafkaConnect.class).stream()
        .filter(c -> c.getSpec().getTemplate() != null && c.getSpec().getTemplate().getPod() != null)
        .flatMap(c -> c.getSpec().getTemplate().getPod().getVolumes().stream())
        .filter(v -> v.getSecret() != null)
        .map(v -> v.getSecret().getSecretName())
        .forEach(secret -> require(rendered.contains(secret) || expected.outOfBandSecrets().contains(secret),
            "KafkaConnect mounts Secret " + secret + ", which is neither rendered nor documented as created by hand"));
  }

  private static boolean selects(LabelSelector selector, Map<String, String> labels) {
    return selector != null && selector.getMatchExpressions().isEmpty() && selects(selector.getMatchLabels(), labels);
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  private void require(boolean holds, String violation) {
    if (!holds) {
      violations.add(violation);
    }
  }
}
