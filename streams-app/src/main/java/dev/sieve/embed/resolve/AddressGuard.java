package dev.sieve.embed.resolve;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses a fetch may connect to: public unicast only. Refused: loopback, wildcard,
 * link-local (169.254.0.0/16 holds cloud metadata services), private (10/8, 172.16/12,
 * 192.168/16), carrier-grade NAT (100.64/10), IPv6 unique-local (fc00::/7) and site-local,
 * multicast, and IPv4 addresses mapped into IPv6.
 */
final class AddressGuard {

  private AddressGuard() {}

  static boolean isPublic(InetAddress address) {
    if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
        || address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return false;
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = bytes[0] & 0xff;
      int second = bytes[1] & 0xff;
      boolean carrierNat = first == 100 && second >= 64 && second < 128;
      boolean reserved = first == 0 || first >= 240;
      return !carrierNat && !reserved;
    }
    if (address instanceof Inet6Address) {
      boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
      boolean mapped = isZero(bytes, 0, 10) && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
      boolean compatible = isZero(bytes, 0, 12);
      return !uniqueLocal && !mapped && !compatible;
    }
    return false;
  }

  private static boolean isZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
