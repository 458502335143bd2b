package io.strand.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throw-away TLS identity for the TLS workload, made at run time with the JDK's {@code keytool}: one
 * EC P-256 key with a self-signed certificate for {@code localhost} and {@code 127.0.0.1}, valid two
 * days, in a PKCS12 key store both brokers serve ({@link #brokerProps}), its certificate in a PKCS12
 * trust store the load generators trust ({@link #clientConfig}, a properties file for the tools'
 * {@code --producer.config} and {@code --command-config}), and as PEM for clients that read OpenSSL's
 * format ({@link #certificatePem}: librdkafka's {@code ssl.ca.location}, kcat's). The certificate is
 * self-signed, so it is its own CA. Nothing here is a secret: the files live in the run's temporary data
 * directory and go with it.
 *
 * <p>Immutable once made.
 *
 * <pre>
 *   dir/server.p12          key store: alias "server", the key and its certificate
 *   dir/server.pem          the certificate, PEM (keytool -exportcert -rfc)
 *   dir/trust.p12           trust store: the certificate
 *   dir/client.properties   security.protocol=SSL and the trust store
 * </pre>
 */
record TlsKeys(Path keyStore, Path trustStore, Path clientConfig, Path certificatePem) {

    static final String PASSWORD = "benchpass";
    private static final long KEYTOOL_TIMEOUT_MS = 60_000;

    /** Makes the key, the stores and the client configuration in {@code dir}; keytool's output goes to {@code log}. */
    static TlsKeys create(Path dir, Path log) {
        Path keyStore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.pem");
        Path trustStore = dir.resolve("trust.p12");
        Path clientConfig = dir.resolve("client.properties");
        keytool(log, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-alias", "server", "-validity", "2",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(log, "-exportcert", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-rfc", "-file", certificate.toString());
        keytool(log, "-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        try {
            Files.writeString(clientConfig, "security.protocol=SSL\n"
                    + "ssl.truststore.location=" + trustStore.toAbsolutePath() + "\n"
                    + "ssl.truststore.type=PKCS12\n"
                    + "ssl.truststore.password=" + PASSWORD + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write file=" + clientConfig, e);
        }
        return new TlsKeys(keyStore, trustStore, clientConfig, certificate);
    }

    /** The key store settings of an SSL listener, Kafka's names (both brokers take them). */
    Map<String, String> brokerProps() {
        return Map.of("ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", keyStore.toAbsolutePath().toString(),
                "ssl.keystore.password", PASSWORD);
    }

    private static void keytool(Path log, String... args) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        // One log per step (the child's log is written afresh): keytool.log becomes keytool-genkeypair.log …
        Path stepLog = log.resolveSibling(log.getFileName().toString().replace(".log", args[0] + ".log"));
        ChildJvm.Outcome outcome = ChildJvm.run(command, stepLog, KEYTOOL_TIMEOUT_MS);
        if (!outcome.succeeded()) {
            throw new IllegalStateException("keytool " + args[0] + " failed exitCode=" + outcome.exitCode()
                    + " log=" + stepLog);
        }
    }
}
