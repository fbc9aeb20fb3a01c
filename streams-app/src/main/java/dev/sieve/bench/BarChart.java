package dev.sieve.bench;

import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart as a self-contained SVG document, for the figures the benchmarks write
 * into {@code docs/benchmarks.md}: one bar per row, its value printed at its end.
 */
final class BarChart {

  /** One bar. */
  record Bar(String label, double value) {}

  private static final int WIDTH = 640;
  private static final int LABEL_WIDTH = 220;
  private static final int BAR_HEIGHT = 22;
  private static final int GAP = 8;
  private static final int TOP = 36;

  private BarChart() {}

  /** The chart; {@code unit} follows every value (e.g. "events/s"). */
  static String svg(String title, String unit, List<Bar> bars) {
    double max = bars.stream().mapToDouble(Bar::value).filter(Double::isFinite).max().orElse(1);
    if (max <= 0) {
      max = 1;
    }
    int height = TOP + bars.size() * (BAR_HEIGHT + GAP) + GAP;
    int plot = WIDTH - LABEL_WIDTH - 110;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
        escape(title)));
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      int y = TOP + i * (BAR_HEIGHT + GAP);
      double value = Double.isFinite(bar.value()) ? Math.max(0, bar.value()) : 0;
      int length = (int) Math.round(plot * value / max);
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
          LABEL_WIDTH - 8, y + 15, escape(bar.label())));
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b7dd8\"/>%n",
          LABEL_WIDTH, y, Math.max(1, length), BAR_HEIGHT));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s %s</text>%n",
          LABEL_WIDTH + length + 6, y + 15, format(bar.value()), escape(unit)));
    }
    return svg.append("</svg>\n").toString();
  }

  static String format(double value) {
    if (!Double.isFinite(value)) {
      return "n/a";
    }
    return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
