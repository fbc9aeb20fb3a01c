package dev.sieve.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A certificate authority made by the JDK's {@code keytool} at test time, which issues client
 * certificates for mutual TLS: its key pair lives in {@link #keystore()}, and {@link #truststore()}
 * (PKCS12, holding only the CA's certificate) is what a broker that requires client certificates
 * trusts. Passwords are random and reach keytool through its environment.
 */
public record CertificateAuthority(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {

  private static final String CA_ALIAS = "ca";
  private static final String ALIAS = "client";

  /** A PKCS12 keystore holding one key pair whose certificate this authority signed. */
  public record IssuedCertificate(Path keystore, String keystorePassword) {}

  /** Creates a CA with subject {@code CN=commonName} in {@code dir}, which must exist. */
  public static CertificateAuthority create(Path dir, String commonName) {
    CertificateAuthority made = new CertificateAuthority(dir.resolve("ca.p12"), "ca-" + UUID.randomUUID(),
        dir.resolve("ca-truststore.p12"), "ts-" + UUID.randomUUID());
    Map<String, String> env = Map.of("CA_PASSWORD", made.keystorePassword, "TRUSTSTORE_PASSWORD", made.truststorePassword);
    Keytool.run(env, "-genkeypair", "-alias", CA_ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + commonName, "-ext", "bc:c", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", made.keystore.toString(), "-storepass:env", "CA_PASSWORD");
    Keytool.run(env, "-exportcert", "-alias", CA_ALIAS, "-keystore", made.keystore.toString(),
        "-storepass:env", "CA_PASSWORD", "-rfc", "-file", made.certificate().toString());
    Keytool.run(env, "-importcert", "-noprompt", "-alias", CA_ALIAS, "-file", made.certificate().toString(),
        "-storetype", "PKCS12", "-keystore", made.truststore.toString(), "-storepass:env", "TRUSTSTORE_PASSWORD");
    return made;
  }

  /** The CA's certificate as a PEM file. */
  public Path certificate() {
    return keystore.resolveSibling("ca.pem");
  }

  /**
   * Issues a client certificate ({@code CN=commonName}, extended key usage clientAuth) on a new key
   * pair, stored with its chain in a PKCS12 keystore in {@code dir} (which must exist) under a new
   * random password, the key's password being the same (PKCS12 has one).
   */
  public IssuedCertificate issue(Path dir, String commonName) {
    IssuedCertificate issued = new IssuedCertificate(dir.resolve("keystore.p12"), "ks-" + UUID.randomUUID());
    Path request = dir.resolve("request.csr");
    Path signed = dir.resolve("certificate.pem");
    Map<String, String> env = Map.of("CA_PASSWORD", keystorePassword, "KEYSTORE_PASSWORD", issued.keystorePassword());
    onClientStore(env, issued, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + commonName, "-validity", "2");
    onClientStore(env, issued, "-certreq", "-alias", ALIAS, "-file", request.toString());
    Keytool.run(env, "-gencert", "-alias", CA_ALIAS, "-keystore", keystore.toString(), "-storepass:env", "CA_PASSWORD",
        "-infile", request.toString(), "-outfile", signed.toString(), "-rfc", "-validity", "2",
        "-ext", "EKU=clientAuth");
    // The CA's certificate first, so that keytool can chain the signed reply to it.
    onClientStore(env, issued, "-importcert", "-noprompt", "-alias", CA_ALIAS, "-file", certificate().toString());
    onClientStore(env, issued, "-importcert", "-alias", ALIAS, "-file", signed.toString());
    return issued;
  }

  /** Runs keytool on the issued certificate's keystore. */
  private static void onClientStore(Map<String, String> env, IssuedCertificate issued, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-storetype", "PKCS12", "-keystore", issued.keystore().toString(),
        "-storepass:env", "KEYSTORE_PASSWORD"));
    Keytool.run(env, all.toArray(String[]::new));
  }
}
