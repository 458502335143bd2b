package io.strand.broker.network;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerSaslServer;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;
import org.apache.kafka.common.security.token.delegation.internals.DelegationTokenCredentialCallback;

/**
 * The SASL mechanisms one listener serves, read from its effective configuration when the listener is
 * built: {@code sasl.enabled.mechanisms} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER; the
 * configuration refuses others), {@code sasl.server.max.receive.size}, {@code connections.max.reauth.ms}
 * (per mechanism with {@code <mechanism>.connections.max.reauth.ms}), and for PLAIN the users of the
 * listener's {@code plain.sasl.jaas.config} line ({@code PlainLoginModule required user_alice="secret";}),
 * read as Kafka's {@code PlainServerCallbackHandler} reads them. SCRAM credentials come from a
 * {@link ScramCredentialStore} (the metadata image) at each authentication; OAUTHBEARER tokens are
 * validated by the listener's {@link OAuthBearerValidation}.
 *
 * <p>The SASL servers are kafka-clients' own ({@code PlainSaslServer}, {@code ScramSaslServer},
 * {@code OAuthBearerSaslServer}) driven with the callback handlers here. Thread-safe; each
 * {@link #newServer} is for one connection's one authentication. {@link #close}, when the listener
 * closes, stops what OAUTHBEARER's validator runs (an https JWKS refresh).
 */
public final class SaslMechanisms implements AutoCloseable {

    public static final String PLAIN = "PLAIN";
    private static final String USER_PREFIX = "user_";

    private final List<String> enabled;
    private final int maxReceiveBytes;
    private final Map<String, Long> reauthMsByMechanism = new HashMap<>();
    /** PLAIN's users and their passwords, from the JAAS line; empty when PLAIN is not enabled. */
    private final Map<String, byte[]> plainPasswords = new HashMap<>();
    private final ScramCredentialStore scram;
    /** OAUTHBEARER's validator; null when OAUTHBEARER is not enabled. */
    private final OAuthBearerValidation oauthBearer;

    /**
     * @throws IllegalArgumentException when PLAIN is enabled without a JAAS line naming
     *                                  {@code PlainLoginModule}, a server callback handler is set for PLAIN or
     *                                  SCRAM, or OAUTHBEARER's validation cannot be configured
     */
    public SaslMechanisms(ListenerSecurity security, ScramCredentialStore scram) {
        Map<String, Object> configs = security.configs();
        this.scram = scram;
        this.enabled = configs.get("sasl.enabled.mechanisms") instanceof List<?> list
                ? list.stream().map(String::valueOf).toList() : List.of();
        Object maxReceive = configs.get("sasl.server.max.receive.size");
        this.maxReceiveBytes = maxReceive instanceof Number n ? n.intValue() : 524_288;
        Object defaultReauth = configs.get("connections.max.reauth.ms");
        for (String mechanism : enabled) {
            String prefix = mechanism.toLowerCase(Locale.ROOT) + ".";
            if (configs.get(prefix + "sasl.server.callback.handler.class") != null
                    && !mechanism.equals(OAuthBearerValidation.MECHANISM)) {
                throw new IllegalArgumentException("listener " + security.listenerName() + ": " + prefix
                        + "sasl.server.callback.handler.class is not served; PLAIN users come from the JAAS line and"
                        + " SCRAM credentials from the metadata log (OAUTHBEARER takes one of "
                        + OAuthBearerValidation.SERVED_HANDLERS + ")");
            }
            for (String login : List.of("sasl.login.callback.handler.class", "sasl.login.class")) {
                if (configs.get(prefix + login) != null) {
                    throw new IllegalArgumentException("listener " + security.listenerName() + ": " + prefix + login
                            + " is not served; a broker logs in only to other brokers, with the username and password"
                            + " of the listener's JAAS line (PLAIN, SCRAM)");
                }
            }
            Object reauth = configs.getOrDefault(prefix + "connections.max.reauth.ms", defaultReauth);
            long reauthMs;
            try {
                reauthMs = reauth == null ? 0L : Long.parseLong(reauth.toString().trim());
            } catch (NumberFormatException e) {
                reauthMs = -1;
            }
            if (reauthMs < 0) {
                throw new IllegalArgumentException("listener " + security.listenerName() + ": " + prefix
                        + "connections.max.reauth.ms=" + reauth + " is not a number of milliseconds >= 0");
            }
            reauthMsByMechanism.put(mechanism, reauthMs);
        }
        if (enabled.contains(PLAIN)) {
            readPlainUsers(security, configs);
        }
        this.oauthBearer = enabled.contains(OAuthBearerValidation.MECHANISM) ? OAuthBearerValidation.of(security) : null;
    }

    private void readPlainUsers(ListenerSecurity security, Map<String, Object> configs) {
        plainPasswords.putAll(plainUsers(security.listenerName(), configs));
    }

    /**
     * The PLAIN users of a listener and their passwords (UTF-8), from its {@code plain.sasl.jaas.config}
     * line's {@code user_<name>="<password>"} options, read as Kafka's {@code PlainServerCallbackHandler}
     * reads them.
     *
     * @param listenerName the listener, for messages
     * @param configs      the listener's effective configuration ({@code BrokerConfig.listenerValues})
     * @throws IllegalArgumentException when the line is missing or names no {@code PlainLoginModule}
     */
    public static Map<String, byte[]> plainUsers(String listenerName, Map<String, Object> configs) {
        String key = "plain." + SaslConfigs.SASL_JAAS_CONFIG;
        Object line = configs.get(key);
        String property = "listener.name." + listenerName.toLowerCase(Locale.ROOT) + "." + key;
        if (line == null) {
            throw new IllegalArgumentException("listener " + listenerName + " enables PLAIN but " + property
                    + " is not set: PLAIN's users come from its " + PlainLoginModule.class.getName() + " line");
        }
        Map<String, Object> jaas = Map.of(key, line instanceof Password p ? p : new Password(line.toString()));
        JaasContext context = JaasContext.loadServerContext(ListenerName.normalised(listenerName), PLAIN, jaas);
        Map<String, byte[]> users = new HashMap<>();
        boolean plainModule = false;
        for (AppConfigurationEntry entry : context.configurationEntries()) {
            if (!entry.getLoginModuleName().equals(PlainLoginModule.class.getName())) {
                continue;
            }
            plainModule = true;
            entry.getOptions().forEach((option, value) -> {
                if (option.startsWith(USER_PREFIX) && value != null) {
                    users.put(option.substring(USER_PREFIX.length()), value.toString().getBytes(StandardCharsets.UTF_8));
                }
            });
        }
        if (!plainModule) {
            throw new IllegalArgumentException(property + " must name " + PlainLoginModule.class.getName());
        }
        return users;
    }

    /** The mechanisms enabled, as configured. */
    public List<String> enabled() {
        return enabled;
    }

    /** The largest frame a connection may send before it has authenticated. */
    int maxReceiveBytes() {
        return maxReceiveBytes;
    }

    /** The longest session of {@code mechanism} before re-authentication; 0 for no limit. */
    long reauthMs(String mechanism) {
        return reauthMsByMechanism.getOrDefault(mechanism, 0L);
    }

    /**
     * A server for one authentication with {@code mechanism}, which must be {@linkplain #enabled enabled}.
     */
    SaslServer newServer(String mechanism) throws SaslException {
        if (!enabled.contains(mechanism)) {
            throw new IllegalArgumentException("mechanism not enabled: " + mechanism);
        }
        if (mechanism.equals(PLAIN)) {
            return new PlainSaslServer(this::handlePlain);
        }
        if (mechanism.equals(OAuthBearerValidation.MECHANISM)) {
            return new OAuthBearerSaslServer(oauthBearer.handler());
        }
        ScramMechanism scramMechanism = ScramMechanism.forMechanismName(mechanism);
        try {
            return new ScramSaslServer(scramMechanism, Map.of(), callbacks -> handleScram(mechanism, callbacks));
        } catch (NoSuchAlgorithmException e) {
            throw new SaslException("No hash algorithm for " + mechanism, e);
        }
    }

    /** PLAIN: the password is right when the JAAS line has {@code user_<name>} equal to it (constant time). */
    private void handlePlain(Callback[] callbacks) throws UnsupportedCallbackException {
        String user = null;
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                user = name.getDefaultName();
            } else if (callback instanceof PlainAuthenticateCallback plain) {
                byte[] expected = user == null ? null : plainPasswords.get(user);
                byte[] given = new String(plain.password()).getBytes(StandardCharsets.UTF_8);
                plain.authenticated(expected != null && MessageDigest.isEqual(expected, given));
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    /** SCRAM: the user's credential from the store; none for delegation tokens, which are not served. */
    private void handleScram(String mechanism, Callback[] callbacks) throws UnsupportedCallbackException {
        String user = null;
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                user = name.getDefaultName();
            } else if (callback instanceof DelegationTokenCredentialCallback) {
                // Token authentication is not served: no credential, so the authentication fails.
            } else if (callback instanceof ScramCredentialCallback credential) {
                credential.scramCredential(user == null ? null : scram.credential(user, mechanism));
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    /** Closes OAUTHBEARER's validator, if enabled. */
    @Override
    public void close() {
        if (oauthBearer != null) {
            oauthBearer.close();
        }
    }
}
