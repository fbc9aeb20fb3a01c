package dev.sieve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class BarChartTest {

  private static Document parse(String svg) throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aChartIsAnSvgDocumentWithOneBarPerValueScaledToTheLargest() throws Exception {
    Document svg = parse(BarChart.svg("Events <per> second", "events/s",
        List.of(new BarChart.Bar("passthrough", 20_000), new BarChart.Bar("sieve & co", 5_000))));

    Element root = svg.getDocumentElement();
    assertThat(root.getLocalName()).isEqualTo("svg");
    assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
    NodeList rects = root.getElementsByTagName("rect");
    assertThat(rects.getLength()).isEqualTo(3); // background + 2 bars
    int longest = Integer.parseInt(((Element) rects.item(1)).getAttribute("width"));
    int shorter = Integer.parseInt(((Element) rects.item(2)).getAttribute("width"));
    assertThat(shorter * 4).isBetween(longest - 4, longest + 4);
    assertThat(root.getTextContent()).contains("Events <per> second", "sieve & co", "20,000 events/s",
        "5,000 events/s");
  }

  @Test
  void aValueThatWasNotMeasuredIsDrawnAsNotAvailable() throws Exception {
    Document svg = parse(BarChart.svg("t", "µs", List.of(new BarChart.Bar("a", Double.NaN), new BarChart.Bar("b", 2))));

    assertThat(svg.getDocumentElement().getTextContent()).contains("n/a µs", "2.00 µs");
  }
}
