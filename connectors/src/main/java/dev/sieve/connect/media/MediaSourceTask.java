package dev.sieve.connect.media;

import dev.sieve.avro.MediaEvent;
import dev.sieve.connect.ConnectorVersion;
import dev.sieve.connect.report.Problem;
import dev.sieve.connect.report.ProblemReporter;
import dev.sieve.serde.SchemaRegistryUnavailableException;
import dev.sieve.serde.SpecificAvroSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the watched directories every {@code poll.interval.ms} and emits one {@link MediaEvent}
 * per new or changed file once it has settled. Its source offset per file (partition {@code
 * {"file": <absolute path>}}, offset {@code {"fingerprint": "<size>:<mtime>[|sidecars]", "id":
 * <event id>}}) lets a restarted task skip what was emitted and emit what was not.
 */
public final class MediaSourceTask extends SourceTask {

  private static final Logger log = LoggerFactory.getLogger(MediaSourceTask.class);
  static final String FILE = "file";
  static final String FINGERPRINT = "fingerprint";
  static final String ID = "id";

  /** What was emitted for a file: its fingerprint then, and the event id. */
  private record Emitted(String fingerprint, String id) {}

  private final Clock clock = Clock.systemUTC();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final Map<Path, Emitted> emitted = new HashMap<>();
  private final Set<Path> offsetsRead = new HashSet<>();
  private MediaSourceConfig config;
  private DirectoryScan scan;
  private SettledFiles settledFiles;
  private MediaFiles mediaFiles;
  private ProblemReporter problems;
  private SpecificAvroSerializer<MediaEvent> values;
  private long nextScanMillis;

  @Override
  public String version() {
    return ConnectorVersion.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new MediaSourceConfig(props);
    scan = new DirectoryScan(config.directories(), config.include(), config.exclude(), config.followSymlinks());
    settledFiles = new SettledFiles(config.stableFor());
    mediaFiles = new MediaFiles(config);
    problems = new ProblemReporter(props.getOrDefault("name", "media-source"), config.problemsTopic(), clock);
    values = new SpecificAvroSerializer<>();
    values.configure(config.originals(), false);
    log.info("Watching {} for {}", config.directories(), config.topic());
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    long wait = nextScanMillis - clock.millis();
    if (wait > 0 && stopping.await(wait, TimeUnit.MILLISECONDS)) {
      return null;
    }
    long now = clock.millis();
    nextScanMillis = now + config.pollInterval().toMillis();
    List<SourceRecord> records = new ArrayList<>();
    DirectoryScan.Listing listing = scan.scan();
    listing.problems().forEach(p -> problems.report(p).ifPresent(records::add));

    Map<Path, List<WatchedFile>> sidecars = sidecarsByMedia(listing.files());
    Set<Path> sidecarPaths = new HashSet<>();
    sidecars.values().forEach(list -> list.forEach(s -> sidecarPaths.add(s.path())));
    List<WatchedFile> media = listing.files().stream().filter(f -> !sidecarPaths.contains(f.path())).toList();
    readOffsets(media);
    reportDeleted(media, records);

    Set<Path> settled = new HashSet<>();
    settledFiles.settled(listing.files(), now).forEach(f -> settled.add(f.path()));
    int read = 0;
    for (WatchedFile file : media.stream().sorted(Comparator.comparing(WatchedFile::path)).toList()) {
      List<WatchedFile> itsSidecars = sidecars.getOrDefault(file.path(), List.of());
      String fingerprint = fingerprint(file, itsSidecars);
      Emitted before = emitted.get(file.path());
      if (before != null && before.fingerprint().equals(fingerprint)) {
        continue;
      }
      if (!settled.contains(file.path()) || !itsSidecars.stream().allMatch(s -> settled.contains(s.path()))) {
        continue;
      }
      if (read == config.batchMaxFiles()) {
        nextScanMillis = now; // More are ready: list again right away.
        break;
      }
      read++;
      try {
        emit(file, itsSidecars, fingerprint, before, records);
      } catch (SchemaRegistryUnavailableException e) {
        log.warn("Schema registry unavailable; {} and the files after it follow in a later poll: {}",
            file.path(), e.getMessage());
        break;
      }
    }
    return records;
  }

  private void emit(WatchedFile file, List<WatchedFile> sidecars, String fingerprint, Emitted before,
      List<SourceRecord> records) {
    MediaFiles.Read read;
    try {
      read = mediaFiles.read(file, sidecars);
    } catch (IOException e) {
      problems.report(DirectoryScan.problem(file.path(), e)).ifPresent(records::add);
      return;
    } catch (MediaFiles.InvalidSidecarException e) {
      problems.report(new Problem(e.sidecar().path().toString(), 0, "invalid-sidecar", e.getMessage()))
          .ifPresent(records::add);
      return;
    }
    boolean touched = before != null && before.id().equals(read.id());
    // Encoded before anything is marked, so that a registry outage leaves the file to read again.
    byte[] value = touched ? null : values.serialize(config.topic(), read.event());
    problems.resolved(file.path().toString());
    sidecars.forEach(s -> problems.resolved(s.path().toString()));
    emitted.put(file.path(), new Emitted(fingerprint, read.id()));
    if (touched) {
      return; // Touched, not changed: the event is already out.
    }
    records.add(new SourceRecord(
        Map.of(FILE, file.path().toString()), Map.of(FINGERPRINT, fingerprint, ID, read.id()),
        config.topic(), null, Schema.STRING_SCHEMA, read.id(), Schema.BYTES_SCHEMA, value, clock.millis()));
  }

  /** Loads the offsets of files this task has not looked up yet, in one call. */
  private void readOffsets(List<WatchedFile> media) {
    List<Map<String, String>> partitions = media.stream().map(WatchedFile::path).filter(offsetsRead::add)
        .map(p -> Map.of(FILE, p.toString())).toList();
    if (partitions.isEmpty()) {
      return;
    }
    context.offsetStorageReader().offsets(partitions).forEach((partition, offset) -> {
      if (offset != null && offset.get(FINGERPRINT) instanceof String fingerprint && offset.get(ID) instanceof String id) {
        emitted.put(Path.of(String.valueOf(partition.get(FILE))), new Emitted(fingerprint, id));
      }
    });
  }

  private void reportDeleted(List<WatchedFile> media, List<SourceRecord> records) {
    Set<Path> listed = new HashSet<>();
    media.forEach(f -> listed.add(f.path()));
    for (var it = emitted.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (!listed.contains(entry.getKey())) {
        problems.report(new Problem(entry.getKey().toString(), 0, "deleted",
            "removed after it was emitted as event " + entry.getValue().id())).ifPresent(records::add);
        it.remove();
        offsetsRead.remove(entry.getKey());
      }
    }
  }

  /** Sidecars ({@code name.txt}, {@code name.json}) by the media file they belong to. */
  private Map<Path, List<WatchedFile>> sidecarsByMedia(List<WatchedFile> files) {
    Set<String> extensions = new HashSet<>();
    config.sidecarExtensions().forEach(e -> extensions.add(e.toLowerCase(java.util.Locale.ROOT)));
    Map<Path, WatchedFile> mediaByStem = new HashMap<>();
    for (WatchedFile f : files) {
      if (!extensions.contains(f.extension())) {
        mediaByStem.putIfAbsent(f.path().resolveSibling(f.stem()), f);
      }
    }
    Map<Path, List<WatchedFile>> sidecars = new HashMap<>();
    for (WatchedFile f : files) {
      WatchedFile owner = mediaByStem.get(f.path().resolveSibling(f.stem()));
      if (extensions.contains(f.extension()) && owner != null) {
        sidecars.computeIfAbsent(owner.path(), k -> new ArrayList<>()).add(f);
      }
    }
    sidecars.values().forEach(list -> list.sort(Comparator.comparing(WatchedFile::extension)));
    return sidecars;
  }

  private static String fingerprint(WatchedFile file, List<WatchedFile> sidecars) {
    StringBuilder fingerprint = new StringBuilder(file.fingerprint());
    sidecars.forEach(s -> fingerprint.append('|').append(s.extension()).append(':').append(s.fingerprint()));
    return fingerprint.toString();
  }

  @Override
  public void stop() {
    stopping.countDown();
  }
}
