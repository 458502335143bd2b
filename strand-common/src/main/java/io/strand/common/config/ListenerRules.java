package io.strand.common.config;

import static io.strand.common.config.BrokerConfig.ADVERTISED_LISTENERS;
import static io.strand.common.config.BrokerConfig.CONTROLLER_LISTENER_NAMES;
import static io.strand.common.config.BrokerConfig.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS;
import static io.strand.common.config.BrokerConfig.CONTROLLER_QUORUM_VOTERS;
import static io.strand.common.config.BrokerConfig.INTER_BROKER_LISTENER_NAME;
import static io.strand.common.config.BrokerConfig.LISTENERS;
import static io.strand.common.config.BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP;
import static io.strand.common.config.BrokerConfig.NODE_ID;
import static io.strand.common.config.BrokerConfig.PROCESS_ROLES;

import io.strand.common.config.BrokerConfig.Listener;
import io.strand.common.config.BrokerConfig.QuorumVoter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The checks that tie {@code process.roles}, the listeners and the quorum voters together, as
 * Kafka's KRaft mode makes them, plus Strand's own about security protocols: client listeners are
 * PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (SASL with the mechanisms served), and controller listeners
 * too (SASL only with PLAIN: the metadata quorum's Ratis port sits behind an authenticating tunnel);
 * any other protocol is refused instead of silently served in the clear.
 *
 * <ul>
 *   <li>every listener name is distinct, every non-zero port too, and each name has a security
 *       protocol ({@code listener.security.protocol.map}, or the name is itself a protocol);</li>
 *   <li>controller role: {@code controller.listener.names} names a listener, {@code node.id} is a
 *       voter, and that listener has the port of this node's voter entry (the quorum listens on the
 *       voter address);</li>
 *   <li>{@code controller.quorum.bootstrap.servers} without voters: a controller is the one
 *       controller, on the one bootstrap address; a broker-only node asks those addresses for the
 *       voters when it starts;</li>
 *   <li>broker role: the inter-broker listener (named, or derived as Kafka does) is a client
 *       listener; the advertised listeners are client listeners with a host, one entry per name,
 *       or controller listeners this node binds (Kafka 4's own server.properties advertises its
 *       CONTROLLER listener);</li>
 *   <li>controller only: every listener is a controller listener;</li>
 *   <li>broker only: {@code node.id} is not a voter and no controller listener is bound; the protocol of
 *       the first of {@code controller.listener.names} (how it reaches the voters) is served, SASL with
 *       {@code sasl.mechanism.controller.protocol} PLAIN.</li>
 * </ul>
 *
 * Stateless.
 */
final class ListenerRules {

    private ListenerRules() {
    }

    static void validate(BrokerConfig config) {
        Set<ProcessRole> roles = config.processRoles();
        List<Listener> listeners = config.listeners();
        checkDistinct(config, listeners);
        checkOAuthBearerSettings(config, listeners);
        List<String> controllerNames = config.controllerListenerNames();
        for (Listener listener : listeners) {
            checkServed(config, listener.name(), controllerNames.contains(listener.name()));
        }
        boolean isVoter = config.quorumVoters().stream().anyMatch(v -> v.id() == config.nodeId());
        if (roles.contains(ProcessRole.CONTROLLER)) {
            Listener controllerListener = config.controllerListener().orElseThrow(() -> new ConfigException(
                    CONTROLLER_LISTENER_NAMES, config.getList(CONTROLLER_LISTENER_NAMES),
                    "a controller needs one of these names among the listeners " + names(listeners)));
            QuorumVoter self = config.quorumVoters().stream().filter(v -> v.id() == config.nodeId()).findFirst()
                    .orElseThrow(() -> new ConfigException(CONTROLLER_QUORUM_VOTERS,
                            config.getList(CONTROLLER_QUORUM_VOTERS),
                            "a controller's node.id (" + config.nodeId() + ") must be one of the voters"));
            if (self.port() != controllerListener.port()) {
                throw new ConfigException(LISTENERS, config.getList(LISTENERS), "the controller listener "
                        + controllerListener.name() + " must have port " + self.port() + " of this node's entry in "
                        + CONTROLLER_QUORUM_VOTERS + ": the metadata quorum listens on the voter address");
            }
        }
        if (roles.contains(ProcessRole.BROKER)) {
            checkBrokerListeners(config, controllerNames);
        }
        if (roles.equals(Set.of(ProcessRole.CONTROLLER)) && !config.clientListeners().isEmpty()) {
            throw new ConfigException(LISTENERS, config.getList(LISTENERS), "with " + PROCESS_ROLES
                    + "=controller every listener must be named in " + CONTROLLER_LISTENER_NAMES + " " + controllerNames);
        }
        if (roles.equals(Set.of(ProcessRole.BROKER))) {
            if (isVoter) {
                throw new ConfigException(NODE_ID, config.nodeId(), "with " + PROCESS_ROLES
                        + "=broker the node must not be one of " + CONTROLLER_QUORUM_VOTERS);
            }
            if (config.controllerListener().isPresent()) {
                throw new ConfigException(LISTENERS, config.getList(LISTENERS), "with " + PROCESS_ROLES
                        + "=broker no listener may be named in " + CONTROLLER_LISTENER_NAMES + " " + controllerNames);
            }
            if (!controllerNames.isEmpty() && hasSecurityProtocol(config, controllerNames.get(0))) {
                checkServed(config, controllerNames.get(0), true);
            }
        }
    }

    /**
     * The quorum of a node configured with {@code controller.quorum.bootstrap.servers} and no voters:
     * this node alone, which must be a controller listening on the single bootstrap address.
     */
    static QuorumVoter standaloneVoter(BrokerConfig config, List<String> bootstrapServers) {
        String why = "without " + CONTROLLER_QUORUM_VOTERS + " the bootstrap servers must be this node's own"
                + " controller listener alone (a quorum of one); list several controllers in " + CONTROLLER_QUORUM_VOTERS;
        if (bootstrapServers.size() != 1 || !config.processRoles().contains(ProcessRole.CONTROLLER)) {
            throw new ConfigException(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, bootstrapServers, why);
        }
        BrokerConfig.BootstrapServer server = BrokerConfig.BootstrapServer.parse(bootstrapServers.get(0));
        Optional<Listener> controllerListener = config.controllerListener();
        if (controllerListener.isEmpty() || controllerListener.get().port() != server.port()) {
            throw new ConfigException(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, bootstrapServers, why);
        }
        return new QuorumVoter(config.nodeId(), server.host(), server.port());
    }

    private static void checkBrokerListeners(BrokerConfig config, List<String> controllerNames) {
        String interBroker = config.interBrokerListenerName();
        if (controllerNames.contains(interBroker)) {
            throw new ConfigException(INTER_BROKER_LISTENER_NAME, interBroker,
                    "the inter-broker listener must not be a controller listener " + controllerNames);
        }
        if (config.brokerListener() == null) {
            throw new ConfigException(LISTENERS, config.getList(LISTENERS),
                    "no client listener named " + interBroker + " for " + INTER_BROKER_LISTENER_NAME);
        }
        Set<String> bound = new HashSet<>(names(config.listeners()));
        List<String> advertisedSpecs = config.getList(ADVERTISED_LISTENERS);
        for (String spec : advertisedSpecs == null ? List.<String>of() : advertisedSpecs) {
            String name = Listener.parse(ADVERTISED_LISTENERS, spec).name();
            if (controllerNames.contains(name) && !bound.contains(name)) {
                throw new ConfigException(ADVERTISED_LISTENERS, config.getList(ADVERTISED_LISTENERS),
                        "controller listener " + name + " is advertised but not in listeners");
            }
        }
        List<Listener> advertised = config.advertisedListeners();
        if (advertised.isEmpty()) {
            throw new ConfigException(LISTENERS, config.getList(LISTENERS), "a broker needs a client listener");
        }
        Set<String> clientNames = new HashSet<>(names(config.clientListeners()));
        Set<String> seen = new HashSet<>();
        for (Listener l : advertised) {
            if (l.host().isEmpty()) {
                throw new ConfigException(ADVERTISED_LISTENERS, config.getList(ADVERTISED_LISTENERS),
                        "an advertised listener needs a host");
            }
            if (!seen.add(l.name())) {
                throw new ConfigException(ADVERTISED_LISTENERS, config.getList(ADVERTISED_LISTENERS),
                        "listener " + l.name() + " is advertised twice");
            }
            if (!clientNames.contains(l.name())) {
                throw new ConfigException(ADVERTISED_LISTENERS, config.getList(ADVERTISED_LISTENERS),
                        "listener " + l.name() + " is not one of the client listeners " + clientNames);
            }
        }
    }

    private static void checkDistinct(BrokerConfig config, List<Listener> listeners) {
        Set<String> names = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (Listener l : listeners) {
            if (!names.add(l.name())) {
                throw new ConfigException(LISTENERS, config.getList(LISTENERS), "listener " + l.name() + " is named twice");
            }
            if (l.port() != 0 && !ports.add(l.port())) {
                throw new ConfigException(LISTENERS, config.getList(LISTENERS), "port " + l.port() + " is used twice");
            }
        }
    }

    /** Mechanisms a SASL listener may enable. */
    static final Set<String> SERVED_SASL_MECHANISMS = Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER");
    /** Mechanisms brokers authenticate to each other with (OAUTHBEARER needs a token login, not served). */
    static final Set<String> INTER_BROKER_SASL_MECHANISMS = Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    /** Mechanisms a SASL controller listener may enable and nodes may authenticate to it with. */
    static final Set<String> CONTROLLER_SASL_MECHANISMS = Set.of("PLAIN");

    /**
     * Client listeners may be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; a SASL one with mechanisms among
     * {@link #SERVED_SASL_MECHANISMS}, and the inter-broker one only with
     * {@code sasl.mechanism.inter.broker.protocol} among them. Controller listeners (the metadata quorum's
     * Apache Ratis port, behind an authenticating tunnel when SASL) too, with SASL limited to PLAIN
     * ({@link #checkControllerSasl}).
     */
    private static void checkServed(BrokerConfig config, String listenerName, boolean controller) {
        SecurityProtocol protocol = securityProtocol(config, listenerName);
        if (protocol == SecurityProtocol.PLAINTEXT || protocol == SecurityProtocol.SSL) {
            return;
        }
        if (protocol != SecurityProtocol.SASL_PLAINTEXT && protocol != SecurityProtocol.SASL_SSL) {
            throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, config.getString(LISTENER_SECURITY_PROTOCOL_MAP),
                    "listener " + listenerName + " uses security protocol " + protocol + "; PLAINTEXT, SSL,"
                    + " SASL_PLAINTEXT and SASL_SSL listeners are supported");
        }
        if (controller) {
            checkControllerSasl(config, listenerName);
            return;
        }
        Object mechanisms = config.listenerValues(listenerName).get(BrokerConfig.SASL_ENABLED_MECHANISMS);
        List<?> enabled = mechanisms instanceof List<?> list ? list : List.of();
        String property = ListenerOverrides.prefix(listenerName) + BrokerConfig.SASL_ENABLED_MECHANISMS;
        if (enabled.isEmpty()) {
            throw new ConfigException(property, enabled, "SASL listener " + listenerName + " enables no mechanism");
        }
        for (Object mechanism : enabled) {
            if ("GSSAPI".equals(mechanism)) {
                throw new ConfigException(property, enabled, "SASL listener " + listenerName + " enables GSSAPI"
                        + " (Kerberos, Kafka's default), which is not served; set " + BrokerConfig.SASL_ENABLED_MECHANISMS
                        + " (or " + property + ") to mechanisms of " + new java.util.TreeSet<>(SERVED_SASL_MECHANISMS));
            }
            if (!SERVED_SASL_MECHANISMS.contains(String.valueOf(mechanism))) {
                throw new ConfigException(property, enabled, "SASL listener " + listenerName + ": mechanism "
                        + mechanism + " is not served; served are " + new java.util.TreeSet<>(SERVED_SASL_MECHANISMS));
            }
        }
        String interBrokerMechanism = config.getString(BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL);
        if (config.processRoles().contains(ProcessRole.BROKER) && listenerName.equals(config.interBrokerListenerName())
                && !enabled.contains(interBrokerMechanism)) {
            throw new ConfigException(BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL, interBrokerMechanism,
                    "the inter-broker listener " + listenerName + " uses SASL, so "
                    + BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL + " must be one of its " + property + " "
                    + enabled);
        }
        if (config.processRoles().contains(ProcessRole.BROKER) && listenerName.equals(config.interBrokerListenerName())
                && !INTER_BROKER_SASL_MECHANISMS.contains(interBrokerMechanism)) {
            throw new ConfigException(BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL, interBrokerMechanism,
                    "brokers authenticate to each other with one of " + new java.util.TreeSet<>(INTER_BROKER_SASL_MECHANISMS)
                    + "; " + interBrokerMechanism + " between brokers is not served");
        }
    }

    /**
     * A SASL controller listener: voters and brokers authenticate to it with
     * {@code sasl.mechanism.controller.protocol}, which must be PLAIN, and a node that binds it (a
     * controller) may enable only PLAIN in its {@code sasl.enabled.mechanisms}, that one included. SCRAM is
     * refused here because its credentials live in the metadata log, which a node must authenticate to
     * read (Kafka seeds them when formatting, {@code kafka-storage format --add-scram}, which Strand has
     * not); GSSAPI (Kerberos) and OAUTHBEARER are not served on the controller listener.
     */
    private static void checkControllerSasl(BrokerConfig config, String listenerName) {
        String mechanism = config.getString(BrokerConfig.SASL_MECHANISM_CONTROLLER_PROTOCOL);
        if (!CONTROLLER_SASL_MECHANISMS.contains(mechanism)) {
            String why = switch (mechanism) {
                case "GSSAPI" -> "GSSAPI (Kerberos, Kafka's default) is not served";
                case "SCRAM-SHA-256", "SCRAM-SHA-512" -> mechanism + " credentials live in the metadata log, which a"
                        + " node must authenticate to read, and Strand cannot seed them before the quorum exists"
                        + " (Kafka's kafka-storage format --add-scram)";
                default -> mechanism + " is not served on the controller listener";
            };
            throw new ConfigException(BrokerConfig.SASL_MECHANISM_CONTROLLER_PROTOCOL, mechanism, "the controller"
                    + " listener " + listenerName + " uses SASL: " + why + "; use PLAIN, with the users in the listener's"
                    + " plain.sasl.jaas.config");
        }
        boolean bound = config.controllerListener().map(l -> l.name().equals(listenerName)).orElse(false);
        if (!bound) {
            return;
        }
        Object mechanisms = config.listenerValues(listenerName).get(BrokerConfig.SASL_ENABLED_MECHANISMS);
        List<?> enabled = mechanisms instanceof List<?> list ? list : List.of();
        String property = ListenerOverrides.prefix(listenerName) + BrokerConfig.SASL_ENABLED_MECHANISMS;
        for (Object each : enabled) {
            if (!CONTROLLER_SASL_MECHANISMS.contains(String.valueOf(each))) {
                throw new ConfigException(property, enabled, "controller listener " + listenerName + " enables " + each
                        + "; a SASL controller listener serves only " + new java.util.TreeSet<>(CONTROLLER_SASL_MECHANISMS)
                        + " (SCRAM credentials live in the metadata log the quorum carries; GSSAPI and OAUTHBEARER are"
                        + " not served there)");
            }
        }
        if (!enabled.contains(mechanism)) {
            throw new ConfigException(property, enabled, "controller listener " + listenerName + " must enable "
                    + BrokerConfig.SASL_MECHANISM_CONTROLLER_PROTOCOL + " (" + mechanism + "), which voters"
                    + " authenticate to each other with");
        }
    }

    /**
     * {@code sasl.oauthbearer.*} validation settings take effect only on SASL listeners enabling OAUTHBEARER:
     * one set for a listener ({@code listener.name.<l>.}) that does not, or set for all when none does, is
     * refused rather than ignored.
     */
    private static void checkOAuthBearerSettings(BrokerConfig config, List<Listener> listeners) {
        Set<String> oauthListeners = new HashSet<>();
        for (Listener listener : listeners) {
            Object enabled = config.listenerValues(listener.name()).get(BrokerConfig.SASL_ENABLED_MECHANISMS);
            if (securityProtocol(config, listener.name()) == SecurityProtocol.SASL_PLAINTEXT
                    && enabled instanceof List<?> list && list.contains("OAUTHBEARER")) {
                oauthListeners.add(listener.name());
            }
        }
        for (String name : config.originals().keySet()) {
            String setting = ListenerOverrides.unprefixed(name);
            if (!BrokerConfig.SASL_OAUTHBEARER_VALIDATION.contains(setting)) {
                continue;
            }
            boolean takesEffect = name.equals(setting) ? !oauthListeners.isEmpty()
                    : oauthListeners.stream().anyMatch(l -> name.equals(ListenerOverrides.prefix(l) + setting));
            if (!takesEffect) {
                throw new ConfigException(name, config.original(name), "no SASL listener "
                        + (name.equals(setting) ? "" : "of that name ") + "enables OAUTHBEARER, whose token validation"
                        + " it sets (" + BrokerConfig.SASL_ENABLED_MECHANISMS + ")");
            }
        }
    }

    /** The protocol of a listener: from the map, else the protocol of the same name. */
    static SecurityProtocol securityProtocol(BrokerConfig config, String listenerName) {
        SecurityProtocol mapped = protocolMap(config).get(normalise(listenerName));
        if (mapped != null) {
            return mapped;
        }
        try {
            return SecurityProtocol.forName(normalise(listenerName));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, config.getString(LISTENER_SECURITY_PROTOCOL_MAP),
                    "no security protocol for listener " + listenerName);
        }
    }

    /** True when {@link #securityProtocol} knows the listener's protocol. */
    private static boolean hasSecurityProtocol(BrokerConfig config, String listenerName) {
        return protocolMap(config).containsKey(normalise(listenerName))
                || SecurityProtocol.names().contains(normalise(listenerName));
    }

    /** The map's LISTENER_NAME:PROTOCOL entries: split at commas, trimmed, empty ones dropped. */
    private static List<String> protocolMapEntries(BrokerConfig config) {
        String value = config.getString(LISTENER_SECURITY_PROTOCOL_MAP);
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim)
                .filter(entry -> !entry.isEmpty()).toList();
    }

    private static Map<String, SecurityProtocol> protocolMap(BrokerConfig config) {
        Map<String, SecurityProtocol> map = new LinkedHashMap<>();
        for (String entry : protocolMapEntries(config)) {
            int colon = entry.indexOf(':');
            Optional<SecurityProtocol> protocol = Optional.empty();
            if (colon > 0) {
                try {
                    protocol = Optional.of(SecurityProtocol.forName(normalise(entry.substring(colon + 1))));
                } catch (IllegalArgumentException e) {
                    protocol = Optional.empty();
                }
            }
            if (protocol.isEmpty()) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, entry,
                        "expected LISTENER_NAME:PROTOCOL with a protocol of " + SecurityProtocol.names());
            }
            map.put(normalise(entry.substring(0, colon)), protocol.get());
        }
        return map;
    }

    static String normalise(String listenerName) {
        return listenerName.trim().toUpperCase(Locale.ROOT);
    }

    private static List<String> names(List<Listener> listeners) {
        return listeners.stream().map(Listener::name).toList();
    }
}
