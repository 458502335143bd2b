package io.strand.broker;

import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.ConnectionBounds;
import io.strand.broker.network.IpConnectionRates;
import io.strand.broker.network.ListenerSecurity;
import io.strand.broker.network.SaslMechanisms;
import io.strand.broker.network.ScramCredentialStore;
import io.strand.broker.network.SocketBuffers;
import io.strand.broker.network.SocketServer;
import io.strand.common.config.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every client listener of a broker: each entry of {@code listeners} that is not a controller
 * listener gets its own {@link SocketServer} (its own accept thread and
 * {@code num.network.threads} event loops, as a Kafka listener has), and each connection knows the
 * name of the listener it came in on, so Metadata answers with that listener's endpoints.
 *
 * <p>{@link #start} binds them in the order configured; when one cannot bind, the ones bound stay
 * bound until {@link #close}, which closes every server, bound or not. Not thread-safe: the broker
 * component starts and closes it.
 */
final class ClientListeners implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientListeners.class);

    private final List<BrokerConfig.Listener> listeners;
    private final List<SocketServer> servers = new ArrayList<>();
    /** The SASL listeners' mechanisms, closed after their servers. */
    private final List<SaslMechanisms> saslMechanisms = new ArrayList<>();
    private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();

    /** Listeners whose handlers that may block run on {@code requestPool}, shared by all of them. */
    ClientListeners(BrokerConfig config, Executor requestPool, ApiRegistry registry) {
        this(config, requestPool, registry, ScramCredentialStore.NONE, IpConnectionRates.NONE);
    }

    /**
     * @param scram   where SASL listeners find SCRAM credentials
     * @param ipRates the addresses' connection creation rate quotas, shared by every listener
     * @throws IllegalArgumentException when a SASL listener's mechanisms cannot be served as configured
     */
    ClientListeners(BrokerConfig config, Executor requestPool, ApiRegistry registry, ScramCredentialStore scram,
                    IpConnectionRates ipRates) {
        this.listeners = config.clientListeners();
        ConnectionBounds bounds = NodeConnectionBounds.of(config, ipRates);
        for (BrokerConfig.Listener listener : listeners) {
            ListenerSecurity security = ListenerSecurities.of(config, listener.name());
            SaslMechanisms sasl = security.securityProtocol() == SecurityProtocol.SASL_PLAINTEXT
                    || security.securityProtocol() == SecurityProtocol.SASL_SSL
                    ? new SaslMechanisms(security, scram) : null;
            if (sasl != null) {
                saslMechanisms.add(sasl);
            }
            servers.add(new SocketServer(security, sasl, bindAddress(listener),
                    config.getInt(BrokerConfig.SOCKET_REQUEST_MAX_BYTES), registry,
                    config.getInt(BrokerConfig.NUM_NETWORK_THREADS), requestPool,
                    SocketBuffers.of(config), bounds));
        }
    }

    private static InetSocketAddress bindAddress(BrokerConfig.Listener listener) {
        return listener.host().isEmpty()
                ? new InetSocketAddress(listener.port())
                : new InetSocketAddress(listener.host(), listener.port());
    }

    /** Binds every listener; the bound addresses have the real ports where 0 was asked for. */
    Map<String, InetSocketAddress> start() throws InterruptedException {
        for (int i = 0; i < servers.size(); i++) {
            BrokerConfig.Listener listener = listeners.get(i);
            try {
                bound.put(listener.name(), servers.get(i).start());
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // Netty rethrows the bind's IOException unchecked.
                throw new UncheckedIOException("Cannot bind listener: name=" + listener.name() + " address="
                        + bindAddress(listener) + " cause=" + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
        }
        return bound();
    }

    /** Listener name → bound address, in the order configured. */
    Map<String, InetSocketAddress> bound() {
        return Collections.unmodifiableMap(bound);
    }

    /** Open connections by listener name, in the order configured; read from any thread. */
    Map<String, Integer> connectionCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < servers.size(); i++) {
            counts.put(listeners.get(i).name(), servers.get(i).connectionCount());
        }
        return counts;
    }

    /** Stops accepting on every listener, closes their connections and stops their event loops. */
    @Override
    public void close() {
        for (SocketServer server : servers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                LOG.warn("Error closing a client listener", e);
            }
        }
        saslMechanisms.forEach(SaslMechanisms::close);
    }
}
