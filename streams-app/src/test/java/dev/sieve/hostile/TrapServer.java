package dev.sieve.hostile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile HTTP server on 127.0.0.1, written on raw sockets so that it can misbehave: {@code
 * /hang} never answers, {@code /slowloris} trickles one byte every 100 ms, {@code /endless}
 * streams a body without end, {@code /redirect-to-loopback} and {@code /redirect-to-file} redirect
 * where a fetch must not follow, and {@code /secret} counts who reached it.
 */
final class TrapServer implements AutoCloseable {

  private final ServerSocket socket;
  private final ConcurrentMap<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private volatile boolean closed;

  TrapServer() {
    try {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::accept, "trap-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** Requests that reached {@code path}. */
  int hits(String path) {
    return hits.getOrDefault(path, new AtomicInteger()).get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket connection = socket.accept();
        Thread handler = new Thread(() -> serve(connection), "trap-connection");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket connection) {
    try (connection) {
      var in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
      String requestLine = in.readLine();
      if (requestLine == null) {
        return;
      }
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        // headers are not needed
      }
      String path = requestLine.split(" ")[1];
      hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      OutputStream out = connection.getOutputStream();
      switch (path) {
        case "/hang" -> waitUntilClosed(connection);
        case "/slowloris" -> {
          write(out, "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n");
          while (!closed) {
            out.write(0);
            out.flush();
            Thread.sleep(100);
          }
        }
        case "/endless" -> {
          write(out, "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n");
          byte[] chunk = new byte[64 * 1024];
          while (!closed) {
            out.write(chunk);
          }
        }
        case "/redirect-to-loopback" -> write(out, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" + port()
            + "/secret\r\nContent-Length: 0\r\n\r\n");
        case "/redirect-to-file" -> write(out, "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\n"
            + "Content-Length: 0\r\n\r\n");
        default -> write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nsecret");
      }
    } catch (IOException | InterruptedException e) {
      // the client gave up: that is what the traps are for
    }
  }

  private void waitUntilClosed(Socket connection) throws IOException {
    while (!closed && connection.getInputStream().read() >= 0) {
      // a client that hangs up ends the wait
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
