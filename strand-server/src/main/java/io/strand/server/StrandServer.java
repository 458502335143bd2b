package io.strand.server;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strand.broker.BrokerServer;
import io.strand.broker.NodeReadiness;
import io.strand.broker.metrics.BrokerMetrics;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.HttpListenerAddress;
import io.strand.server.http.ConsoleAssets;
import io.strand.server.http.HealthEndpoints;
import io.strand.server.http.HttpListener;
import io.strand.server.http.HttpRouter;
import io.strand.server.http.MetricsEndpoint;
import io.strand.server.metrics.JvmGauges;
import io.strand.server.metrics.NodeGauges;
import io.strand.server.metrics.PrometheusBrokerMetrics;
import io.strand.server.rest.KafkaAccess;
import io.strand.server.rest.RestApi;
import io.strand.server.security.HttpSecurity;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.apache.kafka.common.utils.Time;

/**
 * A Strand node as a process runs it: the {@link BrokerServer} and, when
 * {@value BrokerConfig#STRAND_HTTP_LISTENER} is set, its HTTP listener (health endpoints,
 * {@code /metrics} (docs/METRICS.md), the REST API ({@link RestApi}, docs/openapi.yaml) and the web
 * console's files ({@link ConsoleAssets}, docs/CONSOLE.md)), with the node's TLS and authentication
 * settings ({@link HttpSecurity}: https with the node's key store, HTTP Basic against its users, the
 * REST API and {@code /metrics} authorized with its ACLs).
 *
 * <p>Start order: the HTTP listener binds first, so that {@code /health/live} answers and
 * {@code /health/ready} says 503 while the node starts; then the broker server, recording into the
 * Prometheus metrics. If the broker fails to start, the listener is closed and the failure rethrown.
 * JVM metrics join once the broker serves; the REST API answers 503 until then. Close: the REST
 * API's clients and threads, the broker server (readiness turns to 503 at once), then the listener. Without the HTTP
 * listener the broker records into {@link BrokerMetrics#NONE}: no metrics cost at all.
 *
 * <p>Thread-safe: {@link #start} once, {@link #close} from any thread, idempotent.
 */
public final class StrandServer implements AutoCloseable {

    private final BrokerServer broker;
    private final HttpListener http;
    private final KafkaAccess api;
    private boolean closed;

    private StrandServer(BrokerServer broker, HttpListener http, KafkaAccess api) {
        this.broker = broker;
        this.http = http;
        this.api = api;
    }

    /** Starts the node of {@code config} (validated by {@link BrokerServer#config}) with its HTTP side. */
    public static StrandServer start(BrokerConfig config, Time time) throws Exception {
        Optional<HttpListenerAddress> httpAddress = config.httpListener();
        NodeReadiness readiness = new NodeReadiness();
        if (httpAddress.isEmpty()) {
            return new StrandServer(BrokerServer.start(config, time,
                    new BrokerServer.Instrumentation(BrokerMetrics.NONE, readiness)), null, null);
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        PrometheusBrokerMetrics metrics = new PrometheusBrokerMetrics(registry);
        StartedBroker started = new StartedBroker();
        NodeGauges.register(registry, started::get, readiness);
        HttpRouter.Builder routes = HttpRouter.builder();
        HealthEndpoints.addTo(routes, readiness);
        new MetricsEndpoint(registry).addTo(routes);
        ConsoleAssets.load(StrandServer.class.getClassLoader()).addTo(routes);
        KafkaAccess api = new KafkaAccess(started::get);
        HttpListener http;
        try {
            RestApi.addTo(routes, api);
            http = HttpListener.start(httpAddress.get(), HttpSecurity.tls(config, httpAddress.get()), routes.build(),
                    HttpSecurity.gate(config, started::get));
        } catch (Exception | Error e) {
            api.close();
            throw e;
        }
        BrokerServer broker;
        try {
            broker = BrokerServer.start(config, time, new BrokerServer.Instrumentation(metrics, readiness));
        } catch (Exception | Error e) {
            api.close();
            http.close();
            throw e;
        }
        started.set(broker);
        StrandServer node = new StrandServer(broker, http, api);
        try {
            // Off the start's path: the JVM's MXBeans are looked up and its GC listeners added once it serves.
            JvmGauges.register(registry);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** The broker server, set once started; read by the gauges from the HTTP thread. */
    private static final class StartedBroker {
        private volatile BrokerServer server;

        BrokerServer get() {
            return server;
        }

        void set(BrokerServer server) {
            this.server = server;
        }
    }

    public BrokerServer broker() {
        return broker;
    }

    /** The HTTP listener's bound address (the real port when 0 was asked for), or empty when it is off. */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(HttpListener::address);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (api != null) {
                api.close(); // its clients first, while the broker still answers their goodbyes
            }
            broker.close();
        } finally {
            if (http != null) {
                http.close();
            }
        }
    }
}
