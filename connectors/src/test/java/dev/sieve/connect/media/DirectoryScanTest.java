package dev.sieve.connect.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sieve.testing.BuildDirTempDirFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing, settling and reading files, without a worker. */
class DirectoryScanTest {

  @TempDir(factory = BuildDirTempDirFactory.class)
  Path dir;

  @Test
  void globsSelectByThePathRelativeToTheWatchedDirectoryAndTheDefaultsSkipUnfinishedNames() throws IOException {
    Files.createDirectories(dir.resolve("a/.cache"));
    for (String file : List.of("top.jpg", "a/deep.jpg", "a/deep.png", "a/.hidden.jpg", "a/.cache/c.jpg",
        "a/upload.jpg.part", "a/upload.jpg.tmp")) {
      Files.writeString(dir.resolve(file), "x");
    }
    MediaSourceConfig defaults = new MediaSourceConfig(Map.of("directories", dir.toString(), "schema.registry.url", "mem://t"));

    DirectoryScan.Listing listing = new DirectoryScan(List.of(dir), List.of("**.jpg"), defaults.exclude(), true).scan();

    assertThat(listing.files()).extracting(WatchedFile::relativePath).containsExactlyInAnyOrder("top.jpg", "a/deep.jpg");
    assertThat(listing.problems()).isEmpty();
  }

  @Test
  void aFileIsSettledOnceItsSizeAndTimeHeldForTheStablePeriod() {
    SettledFiles settled = new SettledFiles(Duration.ofMillis(500));
    WatchedFile growing = new WatchedFile(dir, dir.resolve("f"), 10, 1_000);
    WatchedFile grown = new WatchedFile(dir, dir.resolve("f"), 20, 1_100);

    assertThat(settled.settled(List.of(growing), 10_000)).isEmpty();
    assertThat(settled.settled(List.of(grown), 10_400)).isEmpty();
    assertThat(settled.settled(List.of(grown), 10_800)).isEmpty();
    assertThat(settled.settled(List.of(grown), 10_900)).containsExactly(grown);
  }

  @Test
  void aFileThatVanishesBetweenListingAndReadingIsAProblemNotACrash() throws IOException {
    Files.writeString(dir.resolve("gone.txt"), "here when listed");
    WatchedFile listed = new DirectoryScan(List.of(dir), List.of("**"), List.of(), true).scan().files().get(0);
    Files.delete(dir.resolve("gone.txt"));
    MediaFiles files = new MediaFiles(new MediaSourceConfig(Map.of("directories", dir.toString(), "schema.registry.url", "mem://t")));

    assertThatThrownBy(() -> files.read(listed, List.of())).isInstanceOfSatisfying(NoSuchFileException.class,
        e -> assertThat(DirectoryScan.problem(listed.path(), e).reason()).isEqualTo("vanished"));
  }

  @Test
  void aMissingWatchedDirectoryIsReported() {
    DirectoryScan.Listing listing = new DirectoryScan(List.of(dir.resolve("nope")), List.of("**"), List.of(), true).scan();

    assertThat(listing.files()).isEmpty();
    assertThat(listing.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(dir.resolve("nope").toString());
      assertThat(p.reason()).isEqualTo("missing-directory");
    });
  }
}
