package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsKeysTest {

    @TempDir
    Path dir;

    @Test
    void makesAKeyStoreATrustStoreOfItsCertificateAPemOfItAndAClientConfig() throws Exception {
        TlsKeys keys = TlsKeys.create(dir, dir.resolve("keytool.log"));

        KeyStore keyStore = load(keys.keyStore());
        KeyStore trustStore = load(keys.trustStore());
        assertThat(keyStore.isKeyEntry("server")).isTrue();
        X509Certificate certificate = (X509Certificate) trustStore.getCertificate("server");
        assertThat(certificate).isEqualTo(keyStore.getCertificate("server"));
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");

        String pem = Files.readString(keys.certificatePem());
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----");
        try (InputStream in = Files.newInputStream(keys.certificatePem())) {
            assertThat(CertificateFactory.getInstance("X.509").generateCertificate(in)).isEqualTo(certificate);
        }

        Properties client = new Properties();
        try (InputStream in = Files.newInputStream(keys.clientConfig())) {
            client.load(in);
        }
        assertThat(client).containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", keys.trustStore().toAbsolutePath().toString())
                .containsEntry("ssl.truststore.password", TlsKeys.PASSWORD);
        assertThat(keys.brokerProps()).containsEntry("ssl.keystore.location",
                keys.keyStore().toAbsolutePath().toString());
    }

    private static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, TlsKeys.PASSWORD.toCharArray());
        }
        return store;
    }
}
