package dev.sieve.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fresh key pair with a self-signed certificate valid for 127.0.0.1 and localhost, made by the JDK's
 * {@code keytool} at test time (no key material in the repository): a PKCS12 keystore for a
 * server and a PKCS12 truststore holding only the certificate, for its clients. Each has its own
 * random password; keytool reads them from its environment, not its command line.
 */
public record SelfSignedCertificate(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {

  private static final String ALIAS = "server";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  /**
   * Generates the key pair and both stores in {@code dir} (which must exist); the certificate's
   * subject and issuer are {@code CN=commonName}.
   */
  public static SelfSignedCertificate create(Path dir, String commonName) {
    SelfSignedCertificate made = new SelfSignedCertificate(dir.resolve("keystore.p12"), "ks-" + UUID.randomUUID(),
        dir.resolve("truststore.p12"), "ts-" + UUID.randomUUID());
    Path certificate = dir.resolve("certificate.der");
    Map<String, String> env = Map.of("KEYSTORE_PASSWORD", made.keystorePassword,
        "TRUSTSTORE_PASSWORD", made.truststorePassword);
    keytool(env, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + commonName, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", made.keystore.toString(), "-storepass:env", "KEYSTORE_PASSWORD");
    keytool(env, "-exportcert", "-alias", ALIAS, "-keystore", made.keystore.toString(),
        "-storepass:env", "KEYSTORE_PASSWORD", "-file", certificate.toString());
    keytool(env, "-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
        "-storetype", "PKCS12", "-keystore", made.truststore.toString(), "-storepass:env", "TRUSTSTORE_PASSWORD");
    return made;
  }

  private static void keytool(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish in " + KEYTOOL_TIMEOUT_SECONDS + " s");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " exited with " + process.exitValue() + ": " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run keytool: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
