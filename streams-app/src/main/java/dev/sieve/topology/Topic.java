package dev.sieve.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** A topic with the serdes of its keys and values, declared once and used everywhere. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public Consumed<K, V> consumed() {
    return Consumed.with(keySerde, valueSerde).withName(name);
  }

  public Produced<K, V> produced() {
    return Produced.with(keySerde, valueSerde).withName(name);
  }
}
