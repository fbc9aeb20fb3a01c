package dev.sieve.dedup;

import dev.sieve.avro.MediaPart;
import dev.sieve.embed.EmbeddingProvider;
import dev.sieve.embed.LexicalSignature;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Near duplicates in a real corpus, embedded with a real model: the corpus's own exact
 * duplicates (e-mails with identical text) and edited copies planted in it, run through the index
 * as the service runs it (the exact route by content, two SimHash cells per event, the
 * decision-cell rule), in corpus order with the copies after every original.
 *
 * <p>Edits, one per copy, in turn: a signature appended; three words replaced by words of another
 * e-mail; the text re-wrapped (lines of at most 60 characters, broken between words: the content
 * changes, the words do not). Recall: copies flagged NEAR as duplicates of their original (or of the
 * event their original was itself flagged a duplicate of). Precision: of all NEAR flags, those
 * that are planted; the others are pairs of different corpus e-mails, some of them genuine
 * near duplicates (spam sent from one template), so this precision is a lower bound. Every
 * threshold is measured twice: cosine only, and with the {@link LexicalRule} of the settings.
 */
public final class CorpusDuplicates {

  private static final String SIGNATURE = "\n-- \nSent from my phone. Please excuse any typos.";

  private final EmbeddingProvider provider;
  private final DedupSettings settings;

  public CorpusDuplicates(EmbeddingProvider provider, DedupSettings settings) {
    this.provider = provider;
    this.settings = settings;
  }

  /** One e-mail of the corpus. */
  public record Mail(String id, String text) {}

  private record Event(String id, String text, String originalId, String edit) {}

  /** What one event was flagged: EXACT or NEAR duplicate of {@code of}, or nothing (null). */
  private record Flag(String kind, String of, double similarity) {}

  /**
   * Measures at {@code thresholds}: {@code limit} e-mails of the corpus (its first ones), with an
   * edited copy of every {@code copyEvery}-th distinct text; prints the figures and returns them.
   * Vectors are read from {@code vectorCache} when it holds as many as there are texts (an
   * earlier run with the same options), else embedded and written there (null: not kept).
   */
  public Map<String, Object> run(List<Mail> corpus, int limit, int copyEvery, double[] thresholds, long seed,
      Path vectorCache, PrintStream out) throws IOException {
    List<Mail> mails = corpus.subList(0, Math.min(limit, corpus.size()));
    SplittableRandom random = new SplittableRandom(seed);
    List<Event> events = new ArrayList<>();
    Map<String, String> firstWithText = new HashMap<>();
    int distinct = 0;
    List<Mail> originals = new ArrayList<>();
    for (Mail mail : mails) {
      events.add(new Event(mail.id(), mail.text(), null, null));
      if (firstWithText.putIfAbsent(mail.text(), mail.id()) == null && distinct++ % copyEvery == 0) {
        originals.add(mail);
      }
    }
    String[] edits = {"signature appended", "three words replaced", "re-wrapped"};
    for (int i = 0; i < originals.size(); i++) {
      Mail original = originals.get(i);
      String edit = edits[i % edits.length];
      String text = switch (i % edits.length) {
        case 0 -> original.text() + SIGNATURE;
        case 1 -> replaceWords(original.text(), mails.get(random.nextInt(mails.size())).text(), 3, random);
        default -> wrapped(original.text(), 60);
      };
      if (!text.equals(original.text())) {
        events.add(new Event(original.id() + "~copy", text, original.id(), edit));
      }
    }
    long exactGroups = mails.stream().map(Mail::text).distinct().count();
    out.printf(Locale.ROOT, "Corpus: %,d e-mails (%,d distinct texts, %,d exact duplicates), %,d edited copies; "
            + "embedding with %s/%s ...%n", mails.size(), exactGroups, mails.size() - exactGroups,
        events.size() - mails.size(), provider.space().getProvider(), provider.space().getModel());
    long start = System.nanoTime();
    float[][] vectors = cached(vectorCache, events.size());
    if (vectors == null) {
      vectors = embed(events);
      store(vectorCache, vectors);
    } else {
      out.printf(Locale.ROOT, "  vectors read from %s%n", vectorCache);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf(Locale.ROOT, "  embedded %,d texts in %.1f s%n", events.size(), seconds);

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("emails", mails.size());
    json.put("distinctTexts", exactGroups);
    json.put("editedCopies", events.size() - mails.size());
    int[][] signatures = new int[events.size()][];
    for (int i = 0; i < events.size(); i++) {
      signatures[i] = LexicalSignature.of(events.get(i).text());
    }
    List<Object> rows = new ArrayList<>();
    for (LexicalRule rule : List.of(LexicalRule.OFF, settings.lexical())) {
      out.printf(Locale.ROOT, "  %s:%n", describe(rule));
      for (double threshold : thresholds) {
        rows.add(measure(events, vectors, signatures, threshold, rule, out));
      }
    }
    json.put("byThreshold", rows);
    return json;
  }

  private static String describe(LexicalRule rule) {
    return rule.enabled()
        ? String.format(Locale.ROOT, "cosine and lexical (Jaccard >= %.2f, or cosine >= threshold and Jaccard >= %.2f)",
            rule.jaccard(), rule.minJaccard())
        : "cosine only";
  }

  private Map<String, Object> measure(List<Event> events, float[][] vectors, int[][] signatures, double threshold,
      LexicalRule rule, PrintStream out) {
    DedupSettings at = new DedupSettings(SpaceThresholds.uniform(threshold), settings.horizon(), settings.hashBits(),
        settings.floodSimilarity(), settings.hashSeed(), rule, settings.partitions());
    Map<String, Flag> flags = flag(events, vectors, signatures, at);
    int copies = 0;
    int found = 0;
    int exactExpected = 0;
    int exactFound = 0;
    int near = 0;
    int nearPlanted = 0;
    int lexicalOnly = 0;
    Map<String, String> firstWithText = new HashMap<>();
    Map<String, Map<String, Integer>> missedByEdit = new LinkedHashMap<>();
    List<String> unplantedExamples = new ArrayList<>();
    for (Event event : events) {
      Flag flag = flags.get(event.id());
      if (event.originalId() == null) {
        String first = firstWithText.putIfAbsent(event.text(), event.id());
        if (first != null) {
          exactExpected++;
          exactFound += flag != null && flag.kind().equals("EXACT") && flag.of().equals(first) ? 1 : 0;
        }
      }
      if (flag != null && flag.kind().equals("NEAR")) {
        near++;
        lexicalOnly += Double.isNaN(flag.similarity()) ? 1 : 0;
        if (planted(event, flag, flags)) {
          nearPlanted++;
        } else if (unplantedExamples.size() < 3) {
          unplantedExamples.add(String.format(Locale.ROOT, "%.3f %s ~ %s", flag.similarity(), event.id(), flag.of()));
        }
      }
      if (event.originalId() != null) {
        copies++;
        boolean hit = flag != null && flag.kind().equals("NEAR") && planted(event, flag, flags);
        found += hit ? 1 : 0;
        missedByEdit.computeIfAbsent(event.edit(), k -> new LinkedHashMap<>(Map.of("copies", 0, "missed", 0)))
            .merge("copies", 1, Integer::sum);
        if (!hit) {
          missedByEdit.get(event.edit()).merge("missed", 1, Integer::sum);
        }
      }
    }
    double recall = copies == 0 ? 1.0 : (double) found / copies;
    double precision = near == 0 ? 1.0 : (double) nearPlanted / near;
    out.printf(Locale.ROOT, "    threshold %.2f: edited copies found %d/%d (recall %.3f), NEAR flags %d of which planted %d "
            + "(precision vs planted %.3f), exact duplicates flagged EXACT %d/%d%n",
        threshold, found, copies, recall, near, nearPlanted, precision, exactFound, exactExpected);
    out.printf(Locale.ROOT, "      missed by edit: %s; NEAR flags decided on text alone (band buckets): %d; "
        + "unplanted NEAR flags, e.g.: %s%n", missedByEdit, lexicalOnly, unplantedExamples);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("signal", rule.enabled() ? "cosine+lexical" : "cosine");
    row.put("threshold", threshold);
    row.put("editedCopies", copies);
    row.put("editedCopiesFound", found);
    row.put("recall", round(recall));
    row.put("nearFlags", near);
    row.put("nearFlagsPlanted", nearPlanted);
    row.put("precisionVsPlanted", round(precision));
    row.put("exactDuplicates", exactExpected);
    row.put("exactDuplicatesFlagged", exactFound);
    row.put("missedByEdit", missedByEdit);
    row.put("nearFlagsDecidedOnTextAlone", lexicalOnly);
    return row;
  }

  /** A NEAR flag of a copy naming its original, or what its original was itself flagged a duplicate of. */
  private static boolean planted(Event event, Flag flag, Map<String, Flag> flags) {
    if (event.originalId() == null) {
      return false;
    }
    Flag ofOriginal = flags.get(event.originalId());
    return flag.of().equals(event.originalId()) || (ofOriginal != null && flag.of().equals(ofOriginal.of()));
  }

  /**
   * Runs the events in order through the exact route and the index, as the service does: two
   * cells per event and, with the lexical signal on, a text's band buckets.
   */
  private static Map<String, Flag> flag(List<Event> events, float[][] vectors, int[][] signatures,
      DedupSettings settings) {
    CellRouter router = new CellRouter(settings);
    NearDupIndex index = new NearDupIndex(settings.thresholds(), settings.lexical(), settings.floodSimilarity(),
        settings.horizonMillis());
    String space = "corpus";
    Map<String, String> exact = new HashMap<>();
    Map<String, Flag> flags = new HashMap<>();
    int[] none = new int[0];
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      int[] cells = router.cells(space, vectors[i]);
      boolean text = settings.lexical().enabled() && signatures[i] != null;
      int[] lexical = text ? LexicalBands.stored(signatures[i]) : none;
      int[] bands = text ? LexicalBands.of(signatures[i]) : none;
      // The text stands for the content hash: equal texts are equal contents.
      Probe probe = new Probe(event.id(), "", space, 0L, event.text(), vectors[i], cells, lexical, bands,
          Probe.EXACT_ROUTE);
      NearDupIndex.Match best = null;
      List<Integer> routes = new ArrayList<>();
      for (int cell : cells) {
        routes.add(cell);
      }
      for (int band = 0; band < bands.length; band++) {
        routes.add(Probe.bandRoute(band));
      }
      for (int route : routes) {
        Probe routed = probe.toRoute(route);
        NearDupIndex.Match match = index.probeAndInsert(routed.cellKey(), routed.item(0L), vectors[i]).match();
        if (match != null && (best == null || NearDupIndex.closer(match, best))) {
          best = match;
        }
      }
      String first = exact.putIfAbsent(event.text(), event.id());
      if (first != null) {
        flags.put(event.id(), new Flag("EXACT", first, 1.0));
      } else if (best != null) {
        flags.put(event.id(), new Flag("NEAR", best.eventId(), best.similarity()));
      }
    }
    return flags;
  }

  /** Vectors of an earlier run with the same events, or null (none, or another count). */
  private static float[][] cached(Path file, int count) throws IOException {
    if (file == null || !Files.exists(file)) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != count) {
        return null;
      }
      int dimensions = in.readInt();
      float[][] vectors = new float[count][dimensions];
      for (float[] vector : vectors) {
        for (int d = 0; d < dimensions; d++) {
          vector[d] = in.readFloat();
        }
      }
      return vectors;
    }
  }

  private static void store(Path file, float[][] vectors) throws IOException {
    if (file == null) {
      return;
    }
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(vectors.length);
      out.writeInt(vectors.length == 0 ? 0 : vectors[0].length);
      for (float[] vector : vectors) {
        for (float v : vector) {
          out.writeFloat(v);
        }
      }
    }
  }

  private float[][] embed(List<Event> events) {
    float[][] vectors = new float[events.size()][];
    int batch = Math.max(1, Math.min(32, provider.maxBatchSize()));
    for (int from = 0; from < events.size(); from += batch) {
      var inputs = events.subList(from, Math.min(events.size(), from + batch)).stream()
          .map(e -> provider.prepare(List.of(MediaPart.newBuilder().setText(e.text()).build()), Map.of()))
          .toList();
      var embeddings = provider.embed(inputs);
      for (int k = 0; k < embeddings.size(); k++) {
        vectors[from + k] = unit(embeddings.get(k).vector());
      }
    }
    return vectors;
  }

  private static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return u;
  }

  /** {@code text} with its words on lines of at most {@code width} characters (longer words alone). */
  static String wrapped(String text, int width) {
    StringBuilder out = new StringBuilder();
    int line = 0;
    for (String word : text.split(" ")) {
      if (line > 0 && line + 1 + word.length() > width) {
        out.append('\n');
        line = 0;
      } else if (line > 0) {
        out.append(' ');
        line++;
      }
      out.append(word);
      line += word.length();
    }
    return out.toString();
  }

  /** {@code text} with {@code count} of its words replaced by random words of {@code donor}. */
  static String replaceWords(String text, String donor, int count, SplittableRandom random) {
    String[] words = text.split(" ");
    String[] donorWords = donor.split(" ");
    for (int n = 0; n < count; n++) {
      words[random.nextInt(words.length)] = donorWords[random.nextInt(donorWords.length)];
    }
    return String.join(" ", words);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
