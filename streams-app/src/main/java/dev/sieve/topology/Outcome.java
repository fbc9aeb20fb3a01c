package dev.sieve.topology;

import dev.sieve.deadletter.Rejection;
import java.util.function.Function;

/**
 * What a pipeline step made of one input record: a value to pass on, or a rejection bound for the
 * dead-letter topic. Both keep the record's original bytes, so a rejection at any step can be
 * dead-lettered exactly as it arrived.
 */
public sealed interface Outcome<T> {

  byte[] originalKey();

  byte[] originalValue();

  static <T> Outcome<T> accepted(T value, byte[] originalKey, byte[] originalValue) {
    return new Accepted<>(value, originalKey, originalValue);
  }

  static <T> Outcome<T> rejected(Rejection rejection, byte[] originalKey, byte[] originalValue) {
    return new Rejected<>(rejection, originalKey, originalValue, null);
  }

  /**
   * A rejection that names the input record it came from. A step that forwards results of earlier
   * records (the embed stage) uses it: the record metadata at forwarding time is another record's.
   */
  static <T> Outcome<T> rejected(Rejection rejection, byte[] originalKey, byte[] originalValue, Source source) {
    return new Rejected<>(rejection, originalKey, originalValue, source);
  }

  /** Applies the next step to an accepted value; a rejection passes through unchanged. */
  <R> Outcome<R> then(Function<? super T, Step<R>> step);

  default boolean isRejected() {
    return this instanceof Rejected;
  }

  /** The value of an accepted outcome. */
  default T value() {
    if (this instanceof Accepted<T> accepted) {
      return accepted.acceptedValue();
    }
    throw new IllegalStateException("rejected outcome has no value");
  }

  /** The result of one step: a value or a rejection, without the original bytes. */
  sealed interface Step<R> {
    static <R> Step<R> of(R value) {
      return new Pass<>(value);
    }

    static <R> Step<R> reject(Rejection rejection) {
      return new Stop<>(rejection);
    }
  }

  record Pass<R>(R value) implements Step<R> {}

  record Stop<R>(Rejection rejection) implements Step<R> {}

  record Accepted<T>(T acceptedValue, byte[] originalKey, byte[] originalValue) implements Outcome<T> {
    @Override
    public <R> Outcome<R> then(Function<? super T, Step<R>> step) {
      Step<R> next = step.apply(acceptedValue);
      if (next instanceof Pass<R> pass) {
        return accepted(pass.value(), originalKey, originalValue);
      }
      return rejected(((Stop<R>) next).rejection(), originalKey, originalValue);
    }
  }

  /** @param source where the input record was read, or null when the record metadata says it */
  record Rejected<T>(Rejection rejection, byte[] originalKey, byte[] originalValue, Source source)
      implements Outcome<T> {
    @Override
    public <R> Outcome<R> then(Function<? super T, Step<R>> step) {
      return rejected(rejection, originalKey, originalValue, source);
    }
  }

  /** Where an input record was read: its topic, partition and offset. */
  record Source(String topic, int partition, long offset) {}
}
