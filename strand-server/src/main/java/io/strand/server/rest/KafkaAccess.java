package io.strand.server.rest;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.strand.broker.BrokerServer;
import io.strand.common.config.BrokerConfig;
import io.strand.server.http.HttpException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How the REST API reaches the broker: kafka-clients' {@link Admin}, {@link Producer} and
 * {@link Consumer} connected to this node's own PLAINTEXT client listener, as {@code User:ANONYMOUS}.
 *
 * <p>Why clients and not the broker's {@code ApiHandler}s in-process: the API answers for the whole
 * cluster from any node, and the handlers answer only what this node leads or coordinates (Produce
 * and Fetch need the partition's leader, the group APIs the group's coordinator, ListOffsets the
 * leader); in-process dispatch would have to redo the clients' routing, retries on
 * NOT_LEADER_OR_FOLLOWER/NOT_COORDINATOR and metadata refresh. The clients give exactly Kafka's
 * semantics, errors and ACL checks, at the cost of a loopback connection.
 *
 * <p>Trust: the clients are {@code User:ANONYMOUS} on an anonymous PLAINTEXT connection whoever the
 * HTTP caller is, so the broker cannot tell callers apart. The HTTP side checks first: the listener's
 * gate authenticates the caller ({@code strand.http.authentication}) and {@link #authorizer()}
 * authorizes each call as that caller with the node's ACLs before these clients act. With an
 * authorizer, {@code User:ANONYMOUS} must itself be allowed what the API does (in {@code super.users},
 * say), which also lets anyone who reaches that PLAINTEXT listener do it: bind it to loopback. A node
 * without a PLAINTEXT client listener answers 503.
 *
 * <p>The clients are made on first use (the HTTP listener serves before the broker starts; until then
 * 503) and closed by {@link #close}. Blocking client work (consumers, a producer's first metadata
 * wait) runs on {@link #executor()} ({@code strand-rest}, {@value #THREADS} threads), never on the
 * HTTP event loop; live tails each hold a thread of {@link #tails()} (at most {@value #MAX_TAILS}).
 * Thread-safe.
 */
public final class KafkaAccess implements AutoCloseable {

    static final int THREADS = 4;
    static final int MAX_TAILS = 32;
    static final String CLIENT_ID = "strand-http-api";

    private final Supplier<BrokerServer> broker;
    private final ExecutorService executor;
    private final ThreadPoolExecutor tails;
    private final RestAuthorizer authorizer = new RestAuthorizer(this::authorization);
    private Admin admin;
    private Producer<byte[], byte[]> producer;
    private String bootstrap;
    private volatile String clusterId;
    private final java.util.concurrent.atomic.AtomicLong consumers = new java.util.concurrent.atomic.AtomicLong();
    private boolean closed;

    /** @param broker the started broker, or null while it starts */
    public KafkaAccess(Supplier<BrokerServer> broker) {
        this.broker = broker;
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1024),
                new DefaultThreadFactory("strand-rest", true));
        this.tails = new ThreadPoolExecutor(0, MAX_TAILS, 10, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
                new DefaultThreadFactory("strand-rest-tail", true));
    }

    /** Authorizes REST calls as their HTTP callers, with the node's authorizer. */
    RestAuthorizer authorizer() {
        return authorizer;
    }

    /** The node's authorizer; 503 while the broker starts or on a node without the broker role. */
    private io.strand.broker.auth.Authorization authorization() {
        BrokerServer server = broker.get();
        if (server == null) {
            throw new HttpException(503, "The node is starting: the HTTP API answers once its broker serves");
        }
        try {
            return server.authorization();
        } catch (IllegalStateException e) {
            throw new HttpException(503, "This node has no broker role, so no HTTP API: " + e.getMessage());
        }
    }

    /** Runs blocking client work off the HTTP event loop. */
    ExecutorService executor() {
        return executor;
    }

    /** One thread per live tail; a submit beyond {@value #MAX_TAILS} is rejected. */
    ExecutorService tails() {
        return tails;
    }

    synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> props = common("admin");
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
            admin = Admin.create(props);
        }
        return admin;
    }

    synchronized Producer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = common("producer");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** A new consumer without a group (assign only, no commits); the caller closes it. */
    Consumer<byte[], byte[]> newConsumer(int maxRecords, int maxBytes) {
        Map<String, Object> props = common("consumer-" + consumers.incrementAndGet());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxRecords);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxBytes);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, maxBytes);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** This cluster's id (asked once, then kept: it never changes). */
    CompletableFuture<String> clusterId() {
        String known = clusterId;
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return admin().describeCluster().clusterId().toCompletionStage().toCompletableFuture().thenApply(id -> {
            clusterId = id;
            return id;
        });
    }

    /** Completes with {@code id} when it names this cluster, else fails with 404. */
    CompletableFuture<String> checkCluster(String id) {
        return clusterId().thenApply(actual -> {
            if (!actual.equals(id)) {
                throw new HttpException(404, "CLUSTER_ID_NOT_FOUND: this node belongs to cluster " + actual
                        + ", not " + id);
            }
            return actual;
        });
    }

    /** What every client gets; {@code role} makes its client.id unique (the clients' JMX names need that). */
    private synchronized Map<String, Object> common(String role) {
        if (closed) {
            throw new HttpException(503, "The node is stopping");
        }
        if (bootstrap == null) {
            bootstrap = bootstrap();
        }
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID + "-" + role);
        props.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.PLAINTEXT.name);
        return props;
    }

    private String bootstrap() {
        BrokerServer server = broker.get();
        if (server == null) {
            throw new HttpException(503, "The node is starting: the HTTP API answers once its broker serves");
        }
        BrokerConfig config = server.config();
        Map<String, InetSocketAddress> listeners;
        try {
            listeners = server.clientListeners();
        } catch (IllegalStateException e) {
            throw new HttpException(503, "This node has no broker role, so no HTTP API: " + e.getMessage());
        }
        for (Map.Entry<String, InetSocketAddress> listener : listeners.entrySet()) {
            if (config.securityProtocol(listener.getKey()) == SecurityProtocol.PLAINTEXT) {
                InetSocketAddress address = listener.getValue();
                String host = address.getAddress() == null || address.getAddress().isAnyLocalAddress()
                        ? "127.0.0.1" : address.getAddress().getHostAddress();
                return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
            }
        }
        throw new HttpException(503, "The HTTP API needs a PLAINTEXT client listener on this node (it connects to"
                + " the node as User:ANONYMOUS, after authorizing the HTTP caller itself); listeners="
                + listeners.keySet());
    }

    /** Closes the clients and stops the threads: live tails end, pending requests fail. Idempotent. */
    @Override
    public void close() {
        Admin a;
        Producer<byte[], byte[]> p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            a = admin;
            p = producer;
        }
        tails.shutdownNow();
        executor.shutdownNow();
        if (p != null) {
            p.close(Duration.ofSeconds(2));
        }
        if (a != null) {
            a.close(Duration.ofSeconds(2));
        }
        try {
            tails.awaitTermination(5, TimeUnit.SECONDS);
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
