package dev.sieve.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.kafka.common.config.types.Password;

/**
 * The bearer token data endpoints require ({@value HttpSettings#TOKEN}). Checked in constant time:
 * both sides are hashed first, so neither the comparison nor the lengths leak how much of a guess
 * was right. The token itself is never logged nor echoed.
 */
final class BearerToken {

  private static final String SCHEME = "Bearer ";

  /** How a request's credentials compare with the token. */
  enum Check { ACCEPTED, MISSING, WRONG, NOT_CONFIGURED }

  private final byte[] digest;
  private final String header;

  BearerToken(Password token) {
    String value = token == null ? null : token.value();
    this.digest = value == null || value.isEmpty() ? null : sha256(value);
    this.header = digest == null ? null : SCHEME + value;
  }

  boolean configured() {
    return digest != null;
  }

  Check check(String authorization) {
    if (digest == null) {
      return Check.NOT_CONFIGURED;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Check.MISSING;
    }
    byte[] given = sha256(authorization.substring(SCHEME.length()).strip());
    return MessageDigest.isEqual(digest, given) ? Check.ACCEPTED : Check.WRONG;
  }

  /** The Authorization header this instance sends when it forwards a query to another instance. */
  String header() {
    return header;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return configured() ? "BearerToken[hidden]" : "BearerToken[none]";
  }
}
