package dev.sieve.embed.stage;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * In-memory stores whose contents outlive the {@code TopologyTestDriver} that used them, like a
 * disk: a second driver built with the same instance sees what the first one left, which stands
 * in for a restore from the changelog ({@code TopologyTestDriver.close()} deletes its state
 * directory, so RocksDB stores cannot be reopened).
 */
final class DurableInMemoryStores {

  private final Map<String, NavigableMap<Bytes, byte[]>> contents = new ConcurrentHashMap<>();

  KeyValueBytesStoreSupplier supplier(String name) {
    NavigableMap<Bytes, byte[]> map = contents.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    return new KeyValueBytesStoreSupplier() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public KeyValueStore<Bytes, byte[]> get() {
        return new Store(name, map);
      }

      @Override
      public String metricsScope() {
        return "durable-in-memory";
      }
    };
  }

  /** Entries in the named store. */
  int size(String name) {
    return contents.getOrDefault(name, new ConcurrentSkipListMap<>()).size();
  }

  private static final class Store implements KeyValueStore<Bytes, byte[]> {
    private final String name;
    private final NavigableMap<Bytes, byte[]> map;
    private final Position position = Position.emptyPosition();
    private boolean open;

    Store(String name, NavigableMap<Bytes, byte[]> map) {
      this.name = name;
      this.map = map;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
      context.register(root, (key, value) -> {
        if (value == null) {
          map.remove(Bytes.wrap(key));
        } else {
          map.put(Bytes.wrap(key), value);
        }
      });
      open = true;
    }

    @Override
    public void close() {
      open = false;
    }

    @Override
    public boolean persistent() {
      return false;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void put(Bytes key, byte[] value) {
      if (value == null) {
        map.remove(key);
      } else {
        map.put(key, value);
      }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
      return map.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
      entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public byte[] delete(Bytes key) {
      return map.remove(key);
    }

    @Override
    public byte[] get(Bytes key) {
      return map.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
      return iterator(map.subMap(from, true, to, true));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
      return iterator(map);
    }

    @Override
    public Position getPosition() {
      return position;
    }

    @Override
    public long approximateNumEntries() {
      return map.size();
    }

    private static KeyValueIterator<Bytes, byte[]> iterator(NavigableMap<Bytes, byte[]> view) {
      Iterator<Map.Entry<Bytes, byte[]>> entries = List.copyOf(view.entrySet()).iterator();
      return new KeyValueIterator<>() {
        @Override
        public boolean hasNext() {
          return entries.hasNext();
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
          Map.Entry<Bytes, byte[]> entry = entries.next();
          return KeyValue.pair(entry.getKey(), entry.getValue());
        }

        @Override
        public Bytes peekNextKey() {
          throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
      };
    }
  }
}
