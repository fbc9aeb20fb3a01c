package dev.sieve.embed.local;

import java.util.Map;

/**
 * Settings of the local model: how much of an inline PDF is read, and how many threads one
 * inference uses.
 *
 * @param pdfMaxPages {@value #PDF_MAX_PAGES}: only the first pages of a PDF are read (default 20)
 * @param pdfMaxBytes {@value #PDF_MAX_BYTES}: larger PDFs are rejected as {@code pdf-too-large}
 *     without parsing (default 20 MiB)
 * @param intraOpThreads {@value #INTRA_OP_THREADS}: ONNX Runtime threads per inference (default
 *     1; stream threads already run inferences in parallel)
 */
public record LocalModelSettings(int pdfMaxPages, int pdfMaxBytes, int intraOpThreads) {

  public static final String PDF_MAX_PAGES = "sieve.local.pdf.max.pages";
  public static final String PDF_MAX_BYTES = "sieve.local.pdf.max.bytes";
  public static final String INTRA_OP_THREADS = "sieve.local.intra.op.threads";

  public static final LocalModelSettings DEFAULTS = new LocalModelSettings(20, 20 * 1024 * 1024, 1);

  /** @throws IllegalArgumentException naming the setting when a value is out of range */
  public LocalModelSettings {
    requireAtLeastOne(PDF_MAX_PAGES, pdfMaxPages);
    requireAtLeastOne(PDF_MAX_BYTES, pdfMaxBytes);
    requireAtLeastOne(INTRA_OP_THREADS, intraOpThreads);
  }

  /**
   * Reads the settings from configuration properties; absent ones take their default.
   *
   * @throws IllegalArgumentException naming the setting when a value is not a number or out of
   *     range
   */
  public static LocalModelSettings from(Map<String, ?> config) {
    return new LocalModelSettings(
        integer(config, PDF_MAX_PAGES, DEFAULTS.pdfMaxPages),
        integer(config, PDF_MAX_BYTES, DEFAULTS.pdfMaxBytes),
        integer(config, INTRA_OP_THREADS, DEFAULTS.intraOpThreads));
  }

  private static int integer(Map<String, ?> config, String name, int defaultValue) {
    Object value = config.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.toString().strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be an integer from 1 to " + Integer.MAX_VALUE + ", was '" + value + "'", e);
    }
  }

  private static void requireAtLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
  }
}
