package io.strand.common.config;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Kafka's per-listener properties: {@code listener.name.<listener>.<property>} overrides
 * {@code <property>} on that listener only (the listener name in lower case, as Kafka's
 * {@code ListenerName.configPrefix()} writes it), and a SASL mechanism's own settings exist only in
 * that form with the mechanism in between, for example
 * {@code listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config}. Stateless.
 */
final class ListenerOverrides {

    /** {@code listener.name.<listener>.<rest>}; the listener name has no dot. */
    private static final Pattern PREFIXED = Pattern.compile("listener\\.name\\.([^.]+)\\.(.+)");
    /**
     * The properties a listener may override; any other {@code listener.name.<l>.<property>} is refused
     * rather than accepted and ignored. Each part that reads its settings per listener (TLS, SASL,
     * connection limits) adds its properties here.
     */
    static final Set<String> PER_LISTENER;

    static {
        Set<String> perListener = new java.util.HashSet<>(SslProperties.NAMES);
        perListener.addAll(Set.of(BrokerConfig.PRINCIPAL_BUILDER_CLASS,
                BrokerConfig.MAX_CONNECTIONS, BrokerConfig.MAX_CONNECTION_CREATION_RATE,
                BrokerConfig.SASL_ENABLED_MECHANISMS, BrokerConfig.SASL_SERVER_MAX_RECEIVE_SIZE,
                BrokerConfig.CONNECTIONS_MAX_REAUTH_MS));
        perListener.addAll(BrokerConfig.SASL_OAUTHBEARER_VALIDATION);
        PER_LISTENER = Set.copyOf(perListener);
    }

    /** Settings Kafka reads only per listener and mechanism: {@code <mechanism>.<setting>}. */
    private static final Set<String> MECHANISM_SETTINGS = Set.of("sasl.jaas.config",
            "sasl.server.callback.handler.class", "sasl.login.callback.handler.class", "sasl.login.class",
            "connections.max.reauth.ms");
    /** A SASL mechanism name as IANA registers them (PLAIN, SCRAM-SHA-256, OAUTHBEARER), any case. */
    private static final Pattern MECHANISM = Pattern.compile("[A-Za-z0-9_-]+");

    private ListenerOverrides() {
    }

    /** The prefix of {@code listenerName}'s overrides: {@code listener.name.<lower-case name>.}. */
    static String prefix(String listenerName) {
        return BrokerConfig.LISTENER_PREFIX + listenerName.trim().toLowerCase(Locale.ROOT) + ".";
    }

    /** The property a per-listener name overrides, or {@code name} itself when it is not one. */
    static String unprefixed(String name) {
        Matcher m = PREFIXED.matcher(name);
        return m.matches() ? m.group(2) : name;
    }

    /** Whether {@code name} is a listener's mechanism setting, {@code listener.name.<l>.<mechanism>.<setting>}. */
    static boolean isMechanismProperty(String name) {
        Matcher m = PREFIXED.matcher(name);
        if (!m.matches()) {
            return false;
        }
        String rest = m.group(2);
        int dot = rest.indexOf('.');
        return dot > 0 && MECHANISM.matcher(rest.substring(0, dot)).matches()
                && MECHANISM_SETTINGS.contains(rest.substring(dot + 1));
    }

    /**
     * @throws ConfigException for a per-listener property naming a listener this node neither binds nor
     *                         names in {@code controller.listener.names} (a broker-only node reaches the
     *                         controllers with that listener's settings, as Kafka's brokers do), which
     *                         would otherwise be silently ignored
     */
    static void validate(BrokerConfig config) {
        List<String> listeners = java.util.stream.Stream.concat(
                config.listeners().stream().map(BrokerConfig.Listener::name), config.controllerListenerNames().stream())
                .map(name -> name.toLowerCase(Locale.ROOT)).toList();
        for (String name : config.originals().keySet()) {
            Matcher m = PREFIXED.matcher(name);
            if (!m.matches()) {
                continue;
            }
            if (!listeners.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                throw new ConfigException(name, config.original(name), "no listener is named "
                        + m.group(1).toUpperCase(Locale.ROOT) + " in " + BrokerConfig.LISTENERS + " or "
                        + BrokerConfig.CONTROLLER_LISTENER_NAMES);
            }
            if (!PER_LISTENER.contains(m.group(2)) && !isMechanismProperty(name)) {
                throw new ConfigException(name, config.original(name), m.group(2)
                        + " cannot be set per listener; set it without the listener prefix");
            }
            if (PER_LISTENER.contains(m.group(2))) {
                // Parsed and checked as the property itself is, naming the prefixed property.
                ConfigDef.ConfigKey key = BrokerConfig.DEF.configKeys().get(m.group(2));
                Object parsed = ConfigDef.parseType(name, config.original(name), key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(name, parsed);
                }
            }
        }
    }
}
