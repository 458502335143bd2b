package io.strand.server.security;

import io.strand.broker.BrokerServer;
import io.strand.broker.auth.Authorization;
import io.strand.broker.auth.AuthorizerConfig;
import io.strand.broker.network.ScramCredentialStore;
import io.strand.broker.network.tls.ServerTls;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.HttpListenerAddress;
import io.strand.server.http.BasicAuthGate;
import io.strand.server.http.HttpGate;
import io.strand.server.http.HttpReply;
import io.strand.server.http.TlsLayer;
import io.netty.handler.codec.http.FullHttpRequest;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.net.UnknownHostException;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SslClientAuth;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's TLS and authentication settings as its HTTP listener applies them:
 * <ul>
 *   <li>{@link #tls}: for {@code https://}, the TLS layer from the broker-wide {@code ssl.*} properties
 *       (key store and trust store as JKS, PKCS12 or PEM, {@code ssl.enabled.protocols},
 *       {@code ssl.cipher.suites}, {@code ssl.client.auth} for mutual TLS), built as an SSL client
 *       listener's ({@link ServerTls}). Per-listener overrides do not apply: the HTTP listener is no Kafka
 *       listener.</li>
 *   <li>{@link #gate}: with {@code strand.http.authentication=basic}, HTTP Basic against the node's
 *       users ({@link NodeUsers}); with {@code none}, every caller is {@code User:ANONYMOUS}. When the node
 *       runs an authorizer, {@code /metrics} also needs DESCRIBE on the cluster (it names every topic
 *       and group), else 403 CLUSTER_AUTHORIZATION_FAILED; the REST API authorizes each call itself.</li>
 * </ul>
 * The one place of the HTTP side that reads the broker's network settings ({@code io.strand.broker.network}:
 * TLS, SASL users, SCRAM credentials); the listener and router see only {@link TlsLayer} and
 * {@link HttpGate}. Stateless.
 */
public final class HttpSecurity {

    /** The TLS layer's name in logs and messages. */
    static final String LISTENER_NAME = "HTTP";
    private static final Logger LOG = LoggerFactory.getLogger(HttpSecurity.class);

    private HttpSecurity() {
    }

    /**
     * The TLS layer of an https listener, or null for http.
     *
     * @throws org.apache.kafka.common.config.ConfigException when the key store is missing or cannot be read
     */
    public static TlsLayer tls(BrokerConfig config, HttpListenerAddress address) {
        if (!address.tls()) {
            return null;
        }
        Object clientAuth = config.nodeValues().get(BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG);
        SslClientAuth auth = clientAuth == null ? null : SslClientAuth.forConfig(clientAuth.toString());
        return ServerTls.of(LISTENER_NAME, config.nodeValues(), auth == null ? SslClientAuth.NONE : auth)::newHandler;
    }

    /**
     * The gate of the node's HTTP listener.
     *
     * @param broker the node's broker once it serves, else null
     */
    public static HttpGate gate(BrokerConfig config, Supplier<BrokerServer> broker) {
        warnAboutTrust(config);
        HttpGate authentication = config.httpBasicAuthentication()
                ? new BasicAuthGate(NodeUsers.of(config, () -> scram(broker.get())))
                : HttpGate.OPEN;
        if (!AuthorizerConfig.from(config.originals()).enabled()) {
            return authentication;
        }
        return new HttpGate() {
            @Override
            public CompletableFuture<HttpGate.Admission> admit(FullHttpRequest request, String path, InetAddress client) {
                String method = request.method().name();
                return authentication.admit(request, path, client).thenApply(admission ->
                        admission.refusal() != null || !path.equals("/metrics") ? admission
                                : metricsAccess(broker.get(), admission, method + " " + path));
            }

            @Override
            public void close() {
                authentication.close();
            }
        };
    }

    /** {@code admission} if its caller may DESCRIBE the cluster, which {@code /metrics} needs; else 403. */
    private static HttpGate.Admission metricsAccess(BrokerServer server, HttpGate.Admission admission, String request) {
        if (server == null) {
            return HttpGate.Admission.refuse(HttpReply.error(503,
                    "HTTP 503 Service Unavailable: the node is starting and cannot authorize yet"));
        }
        boolean allowed = server.authorization().authorize(admission.caller().principal(), admission.caller().address(),
                AclOperation.DESCRIBE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, false, request);
        return allowed ? admission : HttpGate.Admission.refuse(HttpReply.error(403,
                Errors.CLUSTER_AUTHORIZATION_FAILED.name() + ": " + admission.caller().principal()
                        + " may not DESCRIBE the cluster, which /metrics needs"));
    }

    private static ScramCredentialStore scram(BrokerServer server) {
        if (server == null) {
            return null;
        }
        try {
            return server.scramCredentials();
        } catch (IllegalStateException e) {
            return ScramCredentialStore.NONE; // no broker role: no SCRAM users here
        }
    }

    /** Says at start what the operator should know about who the HTTP side lets in. */
    private static void warnAboutTrust(BrokerConfig config) {
        boolean sasl = config.clientListeners().stream().map(l -> config.securityProtocol(l.name()))
                .anyMatch(p -> p == SecurityProtocol.SASL_PLAINTEXT || p == SecurityProtocol.SASL_SSL);
        if (sasl && !config.httpBasicAuthentication()) {
            LOG.warn("This node's Kafka listeners authenticate with SASL but its HTTP listener does not ({}=none):"
                    + " every HTTP caller is User:ANONYMOUS. Set {}=basic to check the same users over HTTP.",
                    BrokerConfig.STRAND_HTTP_AUTHENTICATION, BrokerConfig.STRAND_HTTP_AUTHENTICATION);
        }
        if (AuthorizerConfig.from(config.originals()).enabled()) {
            for (BrokerConfig.Listener listener : config.clientListeners()) {
                if (config.securityProtocol(listener.name()) == SecurityProtocol.PLAINTEXT && !loopback(listener.host())) {
                    LOG.warn("The HTTP API's clients use the PLAINTEXT listener {} as User:ANONYMOUS, which the"
                            + " authorizer must allow what the API does; bound to '{}', it lets anyone who reaches it do"
                            + " the same. Bind it to loopback (127.0.0.1).", listener.name(), listener.host());
                }
            }
        }
    }

    private static boolean loopback(String host) {
        if (host.isEmpty()) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
