package dev.sieve.labels;

import dev.sieve.labels.LabelEvaluation.LabelScore;
import dev.sieve.labels.LabelEvaluation.Point;
import dev.sieve.labels.LabelEvaluation.Result;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints a label evaluation as text, and writes it as one self-contained HTML page with a precision–recall curve per label. */
public final class EvaluationReport {

  private EvaluationReport() {}

  public static void printText(Result result, PrintWriter out) {
    out.printf(Locale.ROOT, "%d items; metrics per label against all other items (Smile).%n%n", result.items());
    out.printf(Locale.ROOT, "%-16s %-10s %6s %9s %9s %7s %7s %14s %s%n", "LABEL", "KIND", "ITEMS", "THRESHOLD",
        "PRECISION", "RECALL", "F1", "BEST F1 AT", precisionHeader(result));
    for (LabelScore s : result.labels()) {
      out.printf(Locale.ROOT, "%-16s %-10s %6d %9.3f %9.3f %7.3f %7.3f %7.3f (%.3f) %s%n", s.label(),
          s.kind().name().toLowerCase(Locale.ROOT), s.positives(), s.threshold(), s.precision(), s.recall(), s.f1(),
          s.bestF1Threshold(), s.bestF1(), atPrecision(s));
    }
    if (result.confusion().length > 0) {
      out.println();
      out.println("Categories, confusion matrix (rows: true label, columns: assigned):");
      int width = Math.max(8, result.classes().stream().mapToInt(String::length).max().orElse(8)) + 1;
      out.printf("%-" + width + "s", "");
      result.classes().forEach(c -> out.printf("%" + width + "s", c));
      out.println();
      for (int i = 0; i < result.classes().size(); i++) {
        out.printf("%-" + width + "s", result.classes().get(i));
        for (int count : result.confusion()[i]) {
          out.printf("%" + width + "d", count);
        }
        out.println();
      }
      int correct = 0;
      int total = 0;
      for (int i = 0; i < result.confusion().length; i++) {
        for (int j = 0; j < result.confusion()[i].length; j++) {
          total += result.confusion()[i][j];
          correct += i == j ? result.confusion()[i][j] : 0;
        }
      }
      out.printf(Locale.ROOT, "Category accuracy: %.3f (%d of %d items)%n", total == 0 ? Double.NaN : (double) correct / total,
          correct, total);
    }
  }

  private static String precisionHeader(Result result) {
    return Double.isNaN(result.requestedPrecision()) ? ""
        : String.format(Locale.ROOT, "THRESHOLD FOR PRECISION %.2f (RECALL)", result.requestedPrecision());
  }

  private static String atPrecision(LabelScore s) {
    if (s.kind() != dev.sieve.avro.LabelKind.MODERATION) {
      return "";
    }
    return s.thresholdForPrecision() == null ? "not reached"
        : String.format(Locale.ROOT, "%.3f (%.3f)", s.thresholdForPrecision(), s.recallAtPrecision());
  }

  /** One HTML page, no external resources: a table and an SVG precision–recall curve per label. */
  public static String html(Result result, String title) {
    StringBuilder page = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>body{font-family:sans-serif;margin:2em}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}figure{display:inline-block;margin:1em}"
            + "</style></head><body><h1>").append(escape(title)).append("</h1><p>")
        .append(result.items()).append(" items; each label against all other items.</p><table><tr>"
            + "<th>label</th><th>kind</th><th>items</th><th>threshold</th><th>precision</th><th>recall</th>"
            + "<th>F1</th><th>best-F1 threshold</th><th>best F1</th><th>threshold for precision</th></tr>");
    for (LabelScore s : result.labels()) {
      page.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%d</td><td>%.3f</td><td>%.3f</td>"
              + "<td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%s</td></tr>", escape(s.label()),
          s.kind().name().toLowerCase(Locale.ROOT), s.positives(), s.threshold(), s.precision(), s.recall(), s.f1(),
          s.bestF1Threshold(), s.bestF1(), escape(atPrecision(s))));
    }
    page.append("</table>");
    for (LabelScore s : result.labels()) {
      page.append("<figure>").append(curve(s)).append("<figcaption>").append(escape(s.label()))
          .append(": precision (up) against recall (right); the dot is the current threshold</figcaption></figure>");
    }
    return page.append("</body></html>\n").toString();
  }

  private static String curve(LabelScore s) {
    int size = 300;
    int pad = 30;
    StringBuilder points = new StringBuilder();
    Point current = null;
    for (Point p : s.curve()) {
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", pad + p.recall() * size, pad + (1 - p.precision()) * size));
      if (p.threshold() >= s.threshold()) {
        current = p;
      }
    }
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">"
            + "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"11\">recall</text><text x=\"2\" y=\"%d\" font-size=\"11\">precision</text>"
            + "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"%s\"/>",
        size + 2 * pad, size + 2 * pad, pad, pad, size, size, pad + size / 2, size + 2 * pad - 5, pad - 8,
        points.toString().trim()));
    if (current != null) {
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#d62728\"/>",
          pad + current.recall() * size, pad + (1 - current.precision()) * size));
    }
    return svg.append("</svg>").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
