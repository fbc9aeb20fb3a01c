package dev.sieve.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's table of hostile cases is the manifest's, so the two cannot drift apart. */
class HostileCorpusReadmeTest {

  private static final String START = "<!-- hostile-cases:start -->\n";
  private static final String END = "<!-- hostile-cases:end -->";

  @Test
  void theReadmeListsEveryCaseWithItsOutcome() throws Exception {
    List<HostileCase> cases = HostileCase.load();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
    String readme = Files.readString(Path.of("..", "README.md"));
    String table = readme.substring(readme.indexOf(START) + START.length(), readme.indexOf(END));
    assertThat(table).as("README table between the hostile-cases markers; regenerate it from the manifest")
        .isEqualTo(table(cases));
  }

  static String table(List<HostileCase> cases) {
    StringBuilder table = new StringBuilder("| case | covers | deployment | outcome |\n| --- | --- | --- | --- |\n");
    for (HostileCase hostile : cases) {
      table.append("| `").append(hostile.name()).append("` | ").append(hostile.covers()).append(" | ")
          .append(hostile.service()).append(" | ").append(hostile.outcome())
          .append(hostile.handling() == null ? "" : ": " + hostile.handling()).append(" |\n");
    }
    return table.toString();
  }
}
