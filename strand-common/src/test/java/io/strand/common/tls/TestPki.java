package io.strand.common.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: a self-signed CA and the certificates it issues
 * (EC P-256, valid from an hour ago for a day), written where Kafka's {@code ssl.*} properties and
 * non-Java clients read them: PKCS12 and JKS key and trust stores, and PEM (certificate chain,
 * unencrypted PKCS#8 key, the CA).
 *
 * <p>Not thread-safe; one per test class.
 */
public final class TestPki {

    /** The password of every key store and trust store written here, and of the keys in them. */
    public static final String PASSWORD = "strand-test-pass";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestPki(Path dir, KeyPair caKeys, X509Certificate ca) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** A new CA ({@code CN=Strand Test CA}) whose files go to {@code dir}. */
    public static TestPki create(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPair keys = newKeys();
            X500Name name = new X500Name("CN=Strand Test CA,O=Strand");
            JcaX509v3CertificateBuilder builder = builder(name, name, keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            TestPki pki = new TestPki(dir, keys, sign(builder, keys.getPrivate()));
            Files.writeString(pki.caPem(), pem("CERTIFICATE", pki.ca.getEncoded()));
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA certificate in PEM. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A trust store holding the CA, of {@code type} (JKS or PKCS12), with {@link #PASSWORD}. */
    public Path truststore(String type) {
        Path file = dir.resolve("truststore." + type.toLowerCase(java.util.Locale.ROOT));
        try (OutputStream out = Files.newOutputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            store.store(out, PASSWORD.toCharArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    /**
     * Issues a certificate to {@code subject} (a distinguished name such as {@code CN=broker,O=Strand}),
     * naming {@code hosts} (DNS names, or IP addresses when numeric) as subject alternative names.
     */
    public Identity issue(String name, String subject, String... hosts) {
        try {
            KeyPair keys = newKeys();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), new javax.security.auth.x500.X500Principal(subject),
                    keys.getPublic());
            List<GeneralName> names = new ArrayList<>();
            for (String host : hosts) {
                boolean ip = host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.contains(":");
                names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host));
            }
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(new GeneralName[0])));
            }
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = sign(builder, caKeys.getPrivate());
            return new Identity(dir, name, keys.getPrivate(), new X509Certificate[] {cert, ca});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key and its certificate chain (leaf first, then the CA). */
    public record Identity(Path dir, String name, PrivateKey key, X509Certificate[] chain) {

        /** The key store of {@code type} (JKS or PKCS12) holding this key, with {@link #PASSWORD}. */
        public Path keystore(String type) {
            Path file = dir.resolve(name + "." + type.toLowerCase(java.util.Locale.ROOT));
            try (OutputStream out = Files.newOutputStream(file)) {
                KeyStore store = KeyStore.getInstance(type);
                store.load(null, null);
                store.setKeyEntry(name, key, PASSWORD.toCharArray(), chain);
                store.store(out, PASSWORD.toCharArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            return file;
        }

        /** The certificate chain in PEM. */
        public String certificateChainPem() {
            StringBuilder text = new StringBuilder();
            try {
                for (X509Certificate cert : chain) {
                    text.append(pem("CERTIFICATE", cert.getEncoded()));
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            return text.toString();
        }

        /** The private key in PEM, unencrypted PKCS#8. */
        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        /** {@link #certificateChainPem()} written to a file. */
        public Path certificateChainFile() {
            return write(name + "-chain.pem", certificateChainPem());
        }

        /** {@link #keyPem()} written to a file. */
        public Path keyFile() {
            return write(name + "-key.pem", keyPem());
        }

        /** The key and then the chain in one PEM file, as {@code ssl.keystore.type=PEM} reads a file. */
        public Path pemKeystoreFile() {
            return write(name + "-keystore.pem", keyPem() + certificateChainPem());
        }

        private Path write(String fileName, String text) {
            try {
                return Files.writeString(dir.resolve(fileName), text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
