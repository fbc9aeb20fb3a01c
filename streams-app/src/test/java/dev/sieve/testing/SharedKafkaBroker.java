package dev.sieve.testing;

import dev.sieve.runtime.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests one {@link EmbeddedKafkaBroker} shared by every test class of the run: the first
 * class that asks starts it, JUnit closes it when the whole run ends. Use it with
 * {@code @ExtendWith(SharedKafkaBroker.class)} and an {@code EmbeddedKafkaBroker} parameter on a
 * test method, constructor or {@code @BeforeAll} method. Tests keep apart by using their own
 * topics ({@link TopicNames}) and group/application ids.
 */
public final class SharedKafkaBroker implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedKafkaBroker.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
  }

  @Override
  public EmbeddedKafkaBroker resolveParameter(
      ParameterContext parameter, ExtensionContext context) {
    // The root store lives as long as the run and closes AutoCloseable values at its end.
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            EmbeddedKafkaBroker.class,
            key -> EmbeddedKafkaBroker.start(),
            EmbeddedKafkaBroker.class);
  }
}
