package io.strand.broker.network;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler;

/**
 * How one listener validates OAUTHBEARER tokens, chosen as Kafka's broker chooses it from the listener's
 * {@code oauthbearer.sasl.server.callback.handler.class}: Kafka's {@link OAuthBearerValidatorCallbackHandler}
 * checks a signed JWT against the JWKS of {@code sasl.oauthbearer.jwks.endpoint.url} (an https or
 * {@code file:} URL, allowed by the JVM's {@code org.apache.kafka.sasl.oauthbearer.allowed.urls}) and the
 * listener's {@code sasl.oauthbearer.expected.audience}, {@code expected.issuer}, {@code scope.claim.name},
 * {@code sub.claim.name}, {@code clock.skew.seconds} and {@code jwks.endpoint.*}; without a class, Kafka's
 * default {@link OAuthBearerUnsecuredValidatorCallbackHandler} accepts unsigned tokens (development only,
 * with its {@code unsecuredValidator*} JAAS options; refused when the listener sets a JWKS URL, an expected
 * audience or issuer, which that validator would silently ignore). Any other class is refused. The listener needs
 * {@code oauthbearer.sasl.jaas.config} naming {@link OAuthBearerLoginModule}, as Kafka's broker does.
 *
 * <p>The handler is kafka-clients' own, configured once here with the listener's effective configuration
 * and shared by every connection of the listener (as Kafka shares it; it is thread-safe). An https JWKS is
 * fetched at start and refreshed by the library's own thread until {@link #close}.
 */
final class OAuthBearerValidation implements AutoCloseable {

    static final String MECHANISM = "OAUTHBEARER";
    /** The handler classes a listener may name, Kafka's validators. */
    static final List<String> SERVED_HANDLERS = List.of(OAuthBearerValidatorCallbackHandler.class.getName(),
            OAuthBearerUnsecuredValidatorCallbackHandler.class.getName());
    private static final String PREFIX = MECHANISM.toLowerCase(Locale.ROOT) + ".";
    private static final String HANDLER_KEY = PREFIX + "sasl.server.callback.handler.class";
    private static final String JAAS_KEY = PREFIX + SaslConfigs.SASL_JAAS_CONFIG;
    /**
     * Settings without a default that only the signed-token validator reads: set with the unsecured one, the
     * operator believes tokens are checked when they are not, so the listener is refused (Kafka ignores them).
     */
    private static final List<String> SIGNED_ONLY = List.of(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL,
            SaslConfigs.SASL_OAUTHBEARER_EXPECTED_AUDIENCE, SaslConfigs.SASL_OAUTHBEARER_EXPECTED_ISSUER);

    private final AuthenticateCallbackHandler handler;

    private OAuthBearerValidation(AuthenticateCallbackHandler handler) {
        this.handler = handler;
    }

    /**
     * @throws IllegalArgumentException naming the property, when the listener's handler class is not one of
     *                                  {@link #SERVED_HANDLERS}, its JAAS line is missing or names another
     *                                  module, or Kafka's validator refuses its configuration
     */
    static OAuthBearerValidation of(ListenerSecurity security) {
        Map<String, Object> configs = security.configs();
        String listenerPrefix = "listener.name." + security.listenerName().toLowerCase(Locale.ROOT) + ".";
        Object handlerClass = configs.get(HANDLER_KEY);
        String className = handlerClass instanceof Class<?> c ? c.getName()
                : handlerClass == null ? null : handlerClass.toString().trim();
        AuthenticateCallbackHandler handler;
        if (className == null || className.equals(OAuthBearerUnsecuredValidatorCallbackHandler.class.getName())) {
            for (String property : SIGNED_ONLY) {
                if (configs.get(property) != null) {
                    throw new IllegalArgumentException("listener " + security.listenerName() + " sets " + property
                            + " but validates OAUTHBEARER tokens with Kafka's unsecured validator, which accepts unsigned"
                            + " tokens and ignores it; set " + listenerPrefix + HANDLER_KEY + "="
                            + OAuthBearerValidatorCallbackHandler.class.getName());
                }
            }
            handler = new OAuthBearerUnsecuredValidatorCallbackHandler();
        } else if (className.equals(OAuthBearerValidatorCallbackHandler.class.getName())) {
            if (configs.get(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL) == null) {
                throw new IllegalArgumentException("listener " + security.listenerName() + " validates OAUTHBEARER"
                        + " tokens with " + className + " but " + SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL
                        + " is not set: the keys that sign tokens come from that JWKS");
            }
            handler = new OAuthBearerValidatorCallbackHandler();
        } else {
            throw new IllegalArgumentException(listenerPrefix + HANDLER_KEY + "=" + className + " is not served;"
                    + " OAUTHBEARER tokens are validated by one of Kafka's " + SERVED_HANDLERS);
        }
        List<AppConfigurationEntry> jaas = jaasEntries(security, configs, listenerPrefix);
        try {
            handler.configure(configs, MECHANISM, jaas);
        } catch (RuntimeException e) {
            handler.close();
            throw new IllegalArgumentException("listener " + security.listenerName() + ": cannot configure "
                    + handler.getClass().getName() + ": " + e.getMessage(), e);
        }
        return new OAuthBearerValidation(handler);
    }

    private static List<AppConfigurationEntry> jaasEntries(ListenerSecurity security, Map<String, Object> configs,
                                                           String listenerPrefix) {
        Object line = configs.get(JAAS_KEY);
        if (line == null) {
            throw new IllegalArgumentException("listener " + security.listenerName() + " enables OAUTHBEARER but "
                    + listenerPrefix + JAAS_KEY + " is not set: it must name " + OAuthBearerLoginModule.class.getName());
        }
        Map<String, Object> jaas = Map.of(JAAS_KEY, line instanceof Password p ? p : new Password(line.toString()));
        List<AppConfigurationEntry> entries = JaasContext.loadServerContext(
                ListenerName.normalised(security.listenerName()), MECHANISM, jaas).configurationEntries();
        if (entries.size() != 1 || !entries.get(0).getLoginModuleName().equals(OAuthBearerLoginModule.class.getName())) {
            throw new IllegalArgumentException(listenerPrefix + JAAS_KEY + " must name "
                    + OAuthBearerLoginModule.class.getName() + " alone");
        }
        return entries;
    }

    /** The callback handler for {@code OAuthBearerSaslServer}s of this listener. */
    AuthenticateCallbackHandler handler() {
        return handler;
    }

    /** Stops the JWKS refresh, if any. */
    @Override
    public void close() {
        handler.close();
    }
}
