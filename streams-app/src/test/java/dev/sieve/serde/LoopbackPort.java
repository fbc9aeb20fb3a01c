package dev.sieve.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1 for test servers. */
final class LoopbackPort {
  private LoopbackPort() {}

  /** A port nothing listens on right now: bound once on 127.0.0.1, then released. */
  static int unused() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
