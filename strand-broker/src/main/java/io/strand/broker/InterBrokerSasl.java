package io.strand.broker;

import io.strand.broker.fetcher.SaslClientSettings;
import io.strand.common.config.BrokerConfig;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How this broker authenticates to the others when the inter-broker listener is SASL_PLAINTEXT or SASL_SSL, as
 * Kafka's brokers do: mechanism {@code sasl.mechanism.inter.broker.protocol}, and the {@code username}
 * and {@code password} options of the inter-broker listener's JAAS line for that mechanism
 * ({@code listener.name.<l>.<mechanism>.sasl.jaas.config}). Stateless.
 */
final class InterBrokerSasl {

    private InterBrokerSasl() {
    }

    /**
     * @return null when the inter-broker listener is not a SASL one
     * @throws IllegalArgumentException when the JAAS line is missing or names no username and password
     */
    static SaslClientSettings of(BrokerConfig config) {
        String listener = config.interBrokerListenerName();
        if (config.securityProtocol(listener) != SecurityProtocol.SASL_PLAINTEXT
                && config.securityProtocol(listener) != SecurityProtocol.SASL_SSL) {
            return null;
        }
        return fromJaas(config, listener, config.getString(BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL),
                "the inter-broker listener " + listener, "brokers authenticate to each other with");
    }

    /**
     * The {@code username} and {@code password} of {@code listener}'s JAAS line for {@code mechanism}
     * ({@code listener.name.<l>.<mechanism>.sasl.jaas.config}, or the same without the listener prefix).
     *
     * @param what what uses the listener, for messages
     * @param why  who authenticates with the username and password ("brokers authenticate to each other with")
     * @throws IllegalArgumentException when the JAAS line is missing or names no username and password
     */
    static SaslClientSettings fromJaas(BrokerConfig config, String listener, String mechanism, String what, String why) {
        String key = mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config";
        String property = "listener.name." + listener.toLowerCase(Locale.ROOT) + "." + key;
        Object line = config.listenerValues(listener).get(key);
        if (line == null) {
            throw new IllegalArgumentException(property + " must be set: " + what + " uses SASL " + mechanism
                    + ", whose username and password " + why);
        }
        JaasContext jaas = JaasContext.loadServerContext(ListenerName.normalised(listener), mechanism,
                Map.of(key, line instanceof Password p ? p : new Password(line.toString())));
        for (AppConfigurationEntry entry : jaas.configurationEntries()) {
            Object username = entry.getOptions().get("username");
            Object password = entry.getOptions().get("password");
            if (username != null && password != null) {
                return new SaslClientSettings(mechanism, username.toString(), password.toString());
            }
        }
        throw new IllegalArgumentException(property + " must name username and password, which " + why);
    }
}
