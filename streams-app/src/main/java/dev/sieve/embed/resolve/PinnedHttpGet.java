package dev.sieve.embed.resolve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 GET sent to an address chosen by the caller, not looked up again: the fetcher
 * connects to exactly the address its SSRF guard checked, so a DNS answer that changes between the
 * check and the connection (rebinding) cannot redirect it. For {@code https} the certificate is
 * still verified against the URI's host name (SNI and endpoint identification).
 *
 * <p>Bounded everywhere: the whole exchange by a deadline (a server trickling bytes is cut off),
 * headers by {@value #MAX_HEADER_BYTES} bytes, the body by a byte limit.
 */
final class PinnedHttpGet {

  static final int MAX_HEADER_BYTES = 64 * 1024;

  /** The status, the headers (names in lower case, last value wins) and the body. */
  record Response(int status, Map<String, String> headers, byte[] body) {}

  /** The body passed the byte limit. */
  static final class TooLarge extends IOException {
    TooLarge() {
      super("body exceeds the size limit");
    }
  }

  /** The deadline passed. */
  static final class TimedOut extends IOException {
    TimedOut() {
      super("deadline passed");
    }
  }

  private PinnedHttpGet() {}

  /**
   * @param deadline {@link System#nanoTime()} by which the whole exchange must be done
   * @throws TooLarge over {@code maxBytes} of body, TimedOut past the deadline, IOException otherwise
   */
  static Response get(URI uri, InetAddress address, long deadline, int maxBytes) throws IOException {
    boolean https = uri.getScheme().equalsIgnoreCase("https");
    int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
    try (Socket socket = connect(uri.getHost(), address, port, https, deadline)) {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
      String host = uri.getPort() >= 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: sieve\r\n"
          + "Accept-Encoding: identity\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      BoundedInput in = new BoundedInput(socket, deadline);
      String statusLine = in.line();
      String[] status = statusLine.split(" ", 3);
      if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x answer: " + statusLine);
      }
      Map<String, String> headers = new HashMap<>();
      for (String line = in.line(); !line.isEmpty(); line = in.line()) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
      }
      return new Response(Integer.parseInt(status[1]), headers, body(in, headers, maxBytes));
    } catch (SocketTimeoutException e) {
      throw new TimedOut();
    }
  }

  private static Socket connect(String host, InetAddress address, int port, boolean https, long deadline)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(address, port), remainingMillis(deadline));
      if (!https) {
        return socket;
      }
      SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
          .createSocket(socket, host, port, true);
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      boolean ipLiteral = host.startsWith("[") || host.matches("[0-9.]+");
      if (!ipLiteral) {
        parameters.setServerNames(List.of(new SNIHostName(host)));
      }
      tls.setSSLParameters(parameters);
      tls.setSoTimeout(remainingMillis(deadline));
      tls.startHandshake();
      return tls;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static byte[] body(BoundedInput in, Map<String, String> headers, int maxBytes) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (long size = chunkSize(in.line()); size > 0; size = chunkSize(in.line())) {
        in.copy(body, size, maxBytes);
        in.line();
      }
      return body.toByteArray();
    }
    String length = headers.get("content-length");
    if (length != null) {
      long declared = Long.parseLong(length);
      if (declared > maxBytes) {
        throw new TooLarge();
      }
      in.copy(body, declared, maxBytes);
    } else {
      in.copy(body, Long.MAX_VALUE, maxBytes);
    }
    return body.toByteArray();
  }

  private static long chunkSize(String line) throws IOException {
    int extension = line.indexOf(';');
    try {
      return Long.parseLong((extension < 0 ? line : line.substring(0, extension)).strip(), 16);
    } catch (NumberFormatException e) {
      throw new IOException("bad chunk size: " + line);
    }
  }

  private static int remainingMillis(long deadline) throws TimedOut {
    long remaining = (deadline - System.nanoTime()) / 1_000_000;
    if (remaining <= 0) {
      throw new TimedOut();
    }
    return (int) Math.min(remaining, Integer.MAX_VALUE);
  }

  /** Reads from the socket, re-arming its timeout from the deadline before every read. */
  private static final class BoundedInput {
    private final Socket socket;
    private final InputStream in;
    private final long deadline;
    private final byte[] buffer = new byte[8192];
    private int start;
    private int end;

    BoundedInput(Socket socket, long deadline) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadline = deadline;
    }

    /** False at the end of the stream. */
    private boolean fill() throws IOException {
      if (start < end) {
        return true;
      }
      socket.setSoTimeout(remainingMillis(deadline));
      int n = in.read(buffer);
      remainingMillis(deadline);
      start = 0;
      end = Math.max(n, 0);
      return n > 0;
    }

    String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        if (!fill()) {
          throw new IOException("connection closed in the middle of the headers");
        }
        byte b = buffer[start++];
        if (b == '\n') {
          String text = line.toString(StandardCharsets.ISO_8859_1);
          return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }
        if (line.size() >= MAX_HEADER_BYTES) {
          throw new IOException("header line longer than " + MAX_HEADER_BYTES + " bytes");
        }
        line.write(b);
      }
    }

    /** Copies up to {@code count} bytes (until the end of the stream), failing past {@code maxBytes} in all. */
    void copy(ByteArrayOutputStream out, long count, int maxBytes) throws IOException {
      long left = count;
      while (left > 0 && fill()) {
        int n = (int) Math.min(left, end - start);
        if (out.size() + n > maxBytes) {
          throw new TooLarge();
        }
        out.write(buffer, start, n);
        start += n;
        left -= n;
      }
    }
  }
}
