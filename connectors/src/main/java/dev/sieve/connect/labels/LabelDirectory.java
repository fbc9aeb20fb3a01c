package dev.sieve.connect.labels;

import dev.sieve.avro.LabelDefinition;
import dev.sieve.connect.report.Problem;
import dev.sieve.labels.LabelFile;
import dev.sieve.labels.LabelFileException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a directory of label files with Sieve's own parser ({@link LabelFile}). A file with any
 * problem contributes nothing and is named among the invalid files, so the labels it held before
 * stay as they are.
 */
final class LabelDirectory {

  /**
   * What the directory holds now.
   *
   * @param labels every label of the valid files, by id, with the file (name) it comes from
   * @param validFiles paths of the files that were used
   * @param invalidFiles names of the files that could not be used
   */
  record Contents(Map<String, Sourced> labels, Set<Path> validFiles, Set<String> invalidFiles, List<Problem> problems) {}

  /** A label and the file (name within the directory) that defines it. */
  record Sourced(LabelDefinition definition, String file) {}

  private final Path directory;
  private final List<PathMatcher> include;

  LabelDirectory(Path directory, List<String> include) {
    this.directory = directory;
    this.include = include.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
  }

  Contents read() {
    Map<String, Sourced> labels = new TreeMap<>();
    Set<String> invalid = new TreeSet<>();
    Set<Path> valid = new TreeSet<>();
    List<Problem> problems = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
        p -> Files.isRegularFile(p) && include.stream().anyMatch(m -> m.matches(p.getFileName())))) {
      entries.forEach(files::add);
    } catch (IOException e) {
      problems.add(new Problem(directory.toString(), 0, "unreadable", e.toString()));
      // Nothing is known about any file: treat every one as invalid so that nothing is deleted.
      return new Contents(labels, Set.of(), Set.of("*"), problems);
    }
    files.sort(null);
    for (Path file : files) {
      String name = file.getFileName().toString();
      List<LabelDefinition> definitions;
      try {
        definitions = LabelFile.read(file);
      } catch (LabelFileException e) {
        invalid.add(name);
        e.problems().forEach(p -> problems.add(new Problem(file.toString(), p.line(), "invalid-label-file", p.message())));
        continue;
      }
      Map<String, Sourced> mine = new HashMap<>();
      List<Problem> clashes = new ArrayList<>();
      for (LabelDefinition definition : definitions) {
        Sourced other = labels.get(definition.getId());
        if (other != null) {
          clashes.add(new Problem(file.toString(), 0, "duplicate-label-id",
              "label '" + definition.getId() + "' is already defined in " + other.file()));
        }
        mine.put(definition.getId(), new Sourced(definition, name));
      }
      if (clashes.isEmpty()) {
        labels.putAll(mine);
        valid.add(file);
      } else {
        invalid.add(name);
        problems.addAll(clashes);
      }
    }
    return new Contents(labels, valid, invalid, problems);
  }
}
