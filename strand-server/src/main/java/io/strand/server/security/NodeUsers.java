package io.strand.server.security;

import io.strand.broker.network.SaslMechanisms;
import io.strand.broker.network.ScramCredentialStore;
import io.strand.common.config.BrokerConfig;
import io.strand.server.http.BasicAuthGate;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * The users a node knows, as HTTP Basic checks their passwords: the PLAIN users of its SASL listeners'
 * JAAS lines ({@code user_<name>="<password>"}, read at start as the listeners read them; a user named
 * on several listeners may use any of the passwords given there) and the SCRAM credentials of the
 * metadata image (created with {@code kafka-configs --alter --add-config 'SCRAM-SHA-256=[...]'} or
 * Admin's {@code alterUserScramCredentials}), checked as a SCRAM server would: the password salted
 * with the credential's salt and iterations (kafka-clients' {@link ScramFormatter}) must give the
 * credential's stored key. SCRAM-SHA-512 is tried before SCRAM-SHA-256.
 *
 * <p>Salting costs thousands of HMACs, too slow for the HTTP event loop ({@link #checkAtOnce} leaves it
 * to {@link #check}, which the gate runs on its own thread) and wasteful for every request a console
 * makes; a password once found right is remembered as an HMAC under a key made at start (never
 * the password), together with the stored key it matched, so a changed or deleted credential is checked
 * afresh. At most {@value #MAX_REMEMBERED} are remembered. Thread-safe.
 */
public final class NodeUsers implements BasicAuthGate.PasswordCheck {

    static final int MAX_REMEMBERED = 1024;
    private static final List<ScramMechanism> SCRAM = List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256);

    private final Map<String, List<byte[]>> plain;
    private final Supplier<ScramCredentialStore> scram;
    private final byte[] rememberKey = new byte[32];
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    private record Remembered(byte[] storedKey, byte[] passwordMac) {
    }

    /**
     * @param plain PLAIN users and the passwords each may use (UTF-8)
     * @param scram the SCRAM credentials, or a supplier of null while the node starts
     */
    public NodeUsers(Map<String, List<byte[]>> plain, Supplier<ScramCredentialStore> scram) {
        Map<String, List<byte[]>> copy = new HashMap<>();
        plain.forEach((user, passwords) -> copy.put(user, List.copyOf(passwords)));
        this.plain = Map.copyOf(copy);
        this.scram = scram;
        new SecureRandom().nextBytes(rememberKey);
    }

    /**
     * The users of {@code config}'s node: PLAIN users of every SASL client listener that enables PLAIN,
     * SCRAM credentials from {@code scram} once the broker serves.
     *
     * @throws IllegalArgumentException when a listener enables PLAIN without a JAAS line naming its users
     */
    public static NodeUsers of(BrokerConfig config, Supplier<ScramCredentialStore> scram) {
        Map<String, List<byte[]>> plain = new HashMap<>();
        for (BrokerConfig.Listener listener : config.clientListeners()) {
            SecurityProtocol protocol = config.securityProtocol(listener.name());
            if (protocol != SecurityProtocol.SASL_PLAINTEXT && protocol != SecurityProtocol.SASL_SSL) {
                continue;
            }
            Map<String, Object> values = config.listenerValues(listener.name());
            if (values.get(BrokerConfig.SASL_ENABLED_MECHANISMS) instanceof List<?> mechanisms
                    && mechanisms.contains(SaslMechanisms.PLAIN)) {
                SaslMechanisms.plainUsers(listener.name(), values).forEach((user, password) ->
                        plain.computeIfAbsent(user, u -> new ArrayList<>()).add(password));
            }
        }
        return new NodeUsers(plain, scram);
    }

    /**
     * At once unless a SCRAM credential of the user must be salted: a PLAIN password, a user without
     * credentials, a SCRAM password already found right for the same stored key.
     */
    @Override
    public Optional<Verdict> checkAtOnce(String user, String password) {
        byte[] given = password.getBytes(StandardCharsets.UTF_8);
        for (byte[] expected : plain.getOrDefault(user, List.of())) {
            if (MessageDigest.isEqual(expected, given)) {
                return Optional.of(Verdict.VALID);
            }
        }
        ScramCredentialStore store = scram.get();
        if (store == null) {
            return Optional.of(plain.containsKey(user) ? Verdict.INVALID : Verdict.UNAVAILABLE);
        }
        boolean any = false;
        for (ScramMechanism mechanism : SCRAM) {
            ScramCredential credential = store.credential(user, mechanism.mechanismName());
            if (credential != null) {
                any = true;
                if (remembered(mechanism, user, credential, password)) {
                    return Optional.of(Verdict.VALID);
                }
            }
        }
        return any ? Optional.empty() : Optional.of(Verdict.INVALID);
    }

    @Override
    public Verdict check(String user, String password) {
        byte[] given = password.getBytes(StandardCharsets.UTF_8);
        for (byte[] expected : plain.getOrDefault(user, List.of())) {
            if (MessageDigest.isEqual(expected, given)) {
                return Verdict.VALID;
            }
        }
        ScramCredentialStore store = scram.get();
        if (store == null) {
            return plain.containsKey(user) ? Verdict.INVALID : Verdict.UNAVAILABLE;
        }
        for (ScramMechanism mechanism : SCRAM) {
            ScramCredential credential = store.credential(user, mechanism.mechanismName());
            if (credential != null && scramMatches(mechanism, user, credential, password)) {
                return Verdict.VALID;
            }
        }
        return Verdict.INVALID;
    }

    /** Whether {@code password} was found right before for this very credential. */
    private boolean remembered(ScramMechanism mechanism, String user, ScramCredential credential, String password) {
        Remembered known = remembered.get(mechanism.mechanismName() + "\u0000" + user);
        return known != null && MessageDigest.isEqual(known.storedKey(), credential.storedKey())
                && MessageDigest.isEqual(known.passwordMac(), mac(password));
    }

    private boolean scramMatches(ScramMechanism mechanism, String user, ScramCredential credential, String password) {
        if (remembered(mechanism, user, credential, password)) {
            return true;
        }
        if (!matches(mechanism, credential, password)) {
            return false;
        }
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(mechanism.mechanismName() + "\u0000" + user, new Remembered(credential.storedKey(), mac(password)));
        return true;
    }

    /** Whether {@code password} salted as {@code credential} says gives its stored key (RFC 5802). */
    static boolean matches(ScramMechanism mechanism, ScramCredential credential, String password) {
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            byte[] salted = formatter.saltedPassword(password, credential.salt(), credential.iterations());
            byte[] storedKey = formatter.storedKey(formatter.clientKey(salted));
            return MessageDigest.isEqual(storedKey, credential.storedKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no " + mechanism.hashAlgorithm() + " in this JVM", e);
        }
    }

    private byte[] mac(String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(rememberKey, "HmacSHA256"));
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HmacSHA256 in this JVM", e);
        }
    }
}
