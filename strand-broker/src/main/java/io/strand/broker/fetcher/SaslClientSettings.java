package io.strand.broker.fetcher;

import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;

/**
 * How a broker authenticates to another broker's SASL inter-broker listener: the mechanism
 * ({@code sasl.mechanism.inter.broker.protocol}: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) and the
 * {@code username}/{@code password} of the listener's JAAS line for it, as Kafka's brokers take them.
 * Immutable; {@link #newClient} makes one client per authentication.
 */
public record SaslClientSettings(String mechanism, String username, String password) {

    public SaslClientSettings {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (!mechanism.equals("PLAIN") && ScramMechanism.forMechanismName(mechanism) == null) {
            throw new IllegalArgumentException("inter-broker SASL mechanism " + mechanism + " is not served");
        }
    }

    /** A SASL client for one authentication to {@code host}: the JDK's PLAIN, or kafka-clients' SCRAM. */
    public SaslClient newClient(String host) throws SaslException {
        if (mechanism.equals("PLAIN")) {
            return Sasl.createSaslClient(new String[] {"PLAIN"}, null, "kafka", host, Map.of(), this::handle);
        }
        try {
            return new ScramSaslClient(ScramMechanism.forMechanismName(mechanism), this::handle);
        } catch (NoSuchAlgorithmException e) {
            throw new SaslException("No hash algorithm for " + mechanism, e);
        }
    }

    private void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                name.setName(username);
            } else if (callback instanceof PasswordCallback pw) {
                pw.setPassword(password.toCharArray());
            } else if (!(callback instanceof ScramExtensionsCallback)) {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    /** The password stays out of logs. */
    @Override
    public String toString() {
        return "SaslClientSettings(mechanism=" + mechanism + ", username=" + username + ")";
    }
}
