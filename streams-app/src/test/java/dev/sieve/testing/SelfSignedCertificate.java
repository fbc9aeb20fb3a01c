package dev.sieve.testing;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh key pair with a self-signed certificate valid for 127.0.0.1 and localhost, made by the JDK's
 * {@code keytool} at test time (no key material in the repository): a PKCS12 keystore for a
 * server, and for its clients a PKCS12 truststore holding only the certificate and the certificate
 * alone as PEM ({@link #certificate()}, what {@code ssl.truststore.type=PEM} reads). Each store has
 * its own random password; keytool reads them from its environment, not its command line.
 */
public record SelfSignedCertificate(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {

  private static final String ALIAS = "server";

  /**
   * Generates the key pair and both stores in {@code dir} (which must exist); the certificate's
   * subject and issuer are {@code CN=commonName}.
   */
  public static SelfSignedCertificate create(Path dir, String commonName) {
    SelfSignedCertificate made = new SelfSignedCertificate(dir.resolve("keystore.p12"), "ks-" + UUID.randomUUID(),
        dir.resolve("truststore.p12"), "ts-" + UUID.randomUUID());
    Path certificate = made.certificate();
    Map<String, String> env = Map.of("KEYSTORE_PASSWORD", made.keystorePassword,
        "TRUSTSTORE_PASSWORD", made.truststorePassword);
    Keytool.run(env, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + commonName, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", made.keystore.toString(), "-storepass:env", "KEYSTORE_PASSWORD");
    Keytool.run(env, "-exportcert", "-alias", ALIAS, "-keystore", made.keystore.toString(),
        "-storepass:env", "KEYSTORE_PASSWORD", "-rfc", "-file", certificate.toString());
    Keytool.run(env, "-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
        "-storetype", "PKCS12", "-keystore", made.truststore.toString(), "-storepass:env", "TRUSTSTORE_PASSWORD");
    return made;
  }

  /** The certificate as a PEM file, next to the keystore. */
  public Path certificate() {
    return keystore.resolveSibling("certificate.pem");
  }
}
