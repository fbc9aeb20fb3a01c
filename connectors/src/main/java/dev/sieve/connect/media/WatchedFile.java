package dev.sieve.connect.media;

import java.nio.file.Path;

/**
 * A regular file found under a watched directory, as listed.
 *
 * @param root the watched directory
 * @param path the file's absolute path
 * @param size its size in bytes when listed
 * @param modifiedMillis its modification time when listed
 */
record WatchedFile(Path root, Path path, long size, long modifiedMillis) {

  /** The path relative to the watched directory, '/' separated (what globs and event ids see). */
  String relativePath() {
    return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
  }

  /** What must not change for the file to count as finished, and what its source offset records. */
  String fingerprint() {
    return size + ":" + modifiedMillis;
  }

  String name() {
    return path.getFileName().toString();
  }

  /** The name without its last extension: "photo" for "photo.jpg". */
  String stem() {
    String name = name();
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? name : name.substring(0, dot);
  }

  /** The last extension, lower case, or "" when there is none. */
  String extension() {
    String name = name();
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
  }
}
