package dev.sieve.connect.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells finished files from files still being written: a file is settled once listings have seen
 * the same size and modification time for {@code stableFor}. Any change restarts its clock.
 */
final class SettledFiles {

  private record Observation(String fingerprint, long sinceMillis) {}

  private final long stableForMillis;
  private final Map<Path, Observation> observed = new HashMap<>();

  SettledFiles(Duration stableFor) {
    this.stableForMillis = stableFor.toMillis();
  }

  /** The files of {@code listing} that are settled at {@code nowMillis}; forgets files no longer listed. */
  List<WatchedFile> settled(List<WatchedFile> listing, long nowMillis) {
    Map<Path, Observation> current = new HashMap<>();
    List<WatchedFile> settled = new ArrayList<>();
    for (WatchedFile file : listing) {
      Observation before = observed.get(file.path());
      Observation now = before != null && before.fingerprint().equals(file.fingerprint())
          ? before : new Observation(file.fingerprint(), nowMillis);
      current.put(file.path(), now);
      if (nowMillis - now.sinceMillis() >= stableForMillis) {
        settled.add(file);
      }
    }
    observed.clear();
    observed.putAll(current);
    return settled;
  }
}
