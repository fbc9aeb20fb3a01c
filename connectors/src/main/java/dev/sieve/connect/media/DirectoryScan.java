package dev.sieve.connect.media;

import dev.sieve.connect.report.Problem;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Lists the files under the watched directories that the include/exclude globs select. Whatever
 * goes wrong with one entry (a symlink loop, a broken link, a directory that cannot be read, an
 * entry that vanished mid-listing) becomes a {@link Problem} and the listing goes on.
 */
final class DirectoryScan {

  /** What one listing found. */
  record Listing(List<WatchedFile> files, List<Problem> problems) {}

  private final List<Path> roots;
  private final List<PathMatcher> include;
  private final List<PathMatcher> exclude;
  private final Set<FileVisitOption> options;

  DirectoryScan(List<Path> roots, List<String> include, List<String> exclude, boolean followSymlinks) {
    this.roots = List.copyOf(roots);
    this.include = matchers(include);
    this.exclude = matchers(exclude);
    this.options = followSymlinks ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : EnumSet.noneOf(FileVisitOption.class);
  }

  Listing scan() {
    List<WatchedFile> files = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        problems.add(new Problem(root.toString(), 0, "missing-directory", "not a directory (or not there)"));
        continue;
      }
      try {
        Files.walkFileTree(root, options, Integer.MAX_VALUE, new Visitor(root, files, problems));
      } catch (IOException e) {
        problems.add(new Problem(root.toString(), 0, "unreadable", e.toString()));
      }
    }
    return new Listing(files, problems);
  }

  private final class Visitor extends SimpleFileVisitor<Path> {
    private final Path root;
    private final List<WatchedFile> files;
    private final List<Problem> problems;

    Visitor(Path root, List<WatchedFile> files, List<Problem> problems) {
      this.root = root;
      this.files = files;
      this.problems = problems;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      return !dir.equals(root) && matches(exclude, dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
      if (matches(exclude, file) || !matches(include, file)) {
        return FileVisitResult.CONTINUE;
      }
      if (attrs.isSymbolicLink()) {
        // Following links, the walker hands over the link itself only when its target is gone.
        problems.add(new Problem(file.toString(), 0, "vanished", "symbolic link to a missing file"));
      } else if (attrs.isRegularFile()) {
        files.add(new WatchedFile(root, file, attrs.size(), attrs.lastModifiedTime().toMillis()));
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) {
      problems.add(problem(file, e));
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult postVisitDirectory(Path dir, IOException e) {
      if (e != null) {
        problems.add(problem(dir, e));
      }
      return FileVisitResult.CONTINUE;
    }

    private boolean matches(List<PathMatcher> matchers, Path path) {
      Path relative = Path.of(root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/"));
      return matchers.stream().anyMatch(m -> m.matches(relative));
    }
  }

  /** The problem an I/O failure on {@code file} amounts to. */
  static Problem problem(Path file, IOException e) {
    String reason;
    if (e instanceof FileSystemLoopException) {
      reason = "symlink-loop";
    } else if (e instanceof NoSuchFileException) {
      reason = "vanished";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission-denied";
    } else {
      reason = "unreadable";
    }
    return new Problem(file.toString(), 0, reason, e.toString());
  }

  private static List<PathMatcher> matchers(List<String> globs) {
    return globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
  }
}
