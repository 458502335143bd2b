package io.strand.common.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The validated configuration of one Strand node, under Kafka's property names.
 *
 * <p>Every property is defined once in {@link #DEF} with its type, default, validation and doc.
 * Unknown names are rejected (Kafka only warns; a typo that silently does nothing is worse), and so
 * are the defined properties no part acts on yet ({@link PendingProperties}), when set. Topic
 * defaults ({@code log.retention.ms} and friends) are the broker properties listed as synonyms in
 * {@link TopicConfigs}; the broker resolves them, with dynamic overrides, per metadata image.
 * Immutable and thread-safe.
 */
public final class BrokerConfig {

    public static final String NODE_ID = "node.id";
    /** Kafka's older name of {@link #NODE_ID}; described as the node id (Kafka's brokers copy one into the other). */
    public static final String BROKER_ID = "broker.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    public static final String LOG_DIR_FAILURE_TIMEOUT_MS = "log.dir.failure.timeout.ms";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String TRANSACTION_PARTITION_VERIFICATION_ENABLE = "transaction.partition.verification.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String QUOTA_WINDOW_NUM = "quota.window.num";
    public static final String QUOTA_WINDOW_SIZE_SECONDS = "quota.window.size.seconds";
    public static final String BROKER_RACK = "broker.rack";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";
    public static final String CONTROLLER_QUORUM_BOOTSTRAP_SERVERS = "controller.quorum.bootstrap.servers";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = "leader.imbalance.per.broker.percentage";
    public static final String TRANSACTION_STATE_LOG_REPLICATION_FACTOR = "transaction.state.log.replication.factor";
    public static final String TRANSACTION_STATE_LOG_MIN_ISR = "transaction.state.log.min.isr";
    public static final String SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR =
            "share.coordinator.state.topic.replication.factor";
    public static final String SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR = "share.coordinator.state.topic.min.isr";
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";
    public static final String PRINCIPAL_BUILDER_CLASS = "principal.builder.class";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
    public static final String MAX_CONNECTIONS_PER_IP_OVERRIDES = "max.connections.per.ip.overrides";
    public static final String MAX_CONNECTION_CREATION_RATE = "max.connection.creation.rate";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String QUEUED_MAX_REQUEST_BYTES = "queued.max.request.bytes";
    public static final String SASL_ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String SASL_MECHANISM_INTER_BROKER_PROTOCOL = "sasl.mechanism.inter.broker.protocol";
    public static final String SASL_MECHANISM_CONTROLLER_PROTOCOL = "sasl.mechanism.controller.protocol";
    public static final String SASL_SERVER_MAX_RECEIVE_SIZE = "sasl.server.max.receive.size";
    public static final String CONNECTIONS_MAX_REAUTH_MS = "connections.max.reauth.ms";
    public static final String SASL_OAUTHBEARER_JWKS_ENDPOINT_URL = "sasl.oauthbearer.jwks.endpoint.url";
    public static final String SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS = "sasl.oauthbearer.jwks.endpoint.refresh.ms";
    public static final String SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MS =
            "sasl.oauthbearer.jwks.endpoint.retry.backoff.ms";
    public static final String SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MAX_MS =
            "sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms";
    public static final String SASL_OAUTHBEARER_EXPECTED_AUDIENCE = "sasl.oauthbearer.expected.audience";
    public static final String SASL_OAUTHBEARER_EXPECTED_ISSUER = "sasl.oauthbearer.expected.issuer";
    public static final String SASL_OAUTHBEARER_SCOPE_CLAIM_NAME = "sasl.oauthbearer.scope.claim.name";
    public static final String SASL_OAUTHBEARER_SUB_CLAIM_NAME = "sasl.oauthbearer.sub.claim.name";
    public static final String SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS = "sasl.oauthbearer.clock.skew.seconds";
    public static final String SASL_OAUTHBEARER_JWT_VALIDATOR_CLASS = "sasl.oauthbearer.jwt.validator.class";
    /** The OAUTHBEARER validation properties, read by a listener's validator (also per listener). */
    public static final java.util.Set<String> SASL_OAUTHBEARER_VALIDATION = java.util.Set.of(
            SASL_OAUTHBEARER_JWKS_ENDPOINT_URL, SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS,
            SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MS, SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MAX_MS,
            SASL_OAUTHBEARER_EXPECTED_AUDIENCE, SASL_OAUTHBEARER_EXPECTED_ISSUER, SASL_OAUTHBEARER_SCOPE_CLAIM_NAME,
            SASL_OAUTHBEARER_SUB_CLAIM_NAME, SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS, SASL_OAUTHBEARER_JWT_VALIDATOR_CLASS);
    /** Prefix of a per-listener override, followed by the lower-case listener name and a dot (Kafka's). */
    public static final String LISTENER_PREFIX = "listener.name.";
    /** Strand's own: the node's HTTP listener (health, /metrics), {@code http(s)://host:port}; empty = off. */
    public static final String STRAND_HTTP_LISTENER = "strand.http.listener";
    /** Strand's own: how HTTP callers authenticate, {@code none} or {@code basic}. */
    public static final String STRAND_HTTP_AUTHENTICATION = "strand.http.authentication";
    /** Strand's own: whether Basic authentication may run over {@code http://}, passwords in clear. */
    public static final String STRAND_HTTP_AUTHENTICATION_ALLOW_CLEARTEXT = "strand.http.authentication.allow.cleartext";

    /** Broker properties that can be changed at run time through (Incremental)AlterConfigs. */
    private static final Set<String> DYNAMIC;
    /** Broker defaults of topic configs that Kafka's broker leaves unset ({@link #defaultValue}). */
    private static final Set<String> NO_DEFAULT = Set.of("log.flush.interval.ms");

    /** A socket buffer size: -1 (the OS default) or a positive number of bytes. */
    private static final ConfigDef.Validator SOCKET_BUFFER_SIZE = (name, value) -> {
        int size = (Integer) value;
        if (size != -1 && size <= 0) {
            throw new ConfigException(name, value, "must be -1 (the operating system's default) or positive");
        }
    };

    public static final ConfigDef DEF = new ConfigDef()
            .define(NODE_ID, Type.INT, 1, atLeast(0), HIGH, "Id of this node in the cluster.")
            .define(BROKER_ID, Type.INT, -1, LOW, "The older name of node.id, which sets it; reported, not read.")
            .define(PROCESS_ROLES, Type.LIST, List.of("broker", "controller"),
                    ConfigDef.ValidList.in("broker", "controller"), HIGH, "Roles of this node.")
            .define(LISTENERS, Type.LIST, List.of("PLAINTEXT://localhost:9092", "CONTROLLER://localhost:9093"),
                    HIGH, "Listeners as NAME://host:port; an empty host binds every interface.")
            .define(ADVERTISED_LISTENERS, Type.LIST, null, HIGH,
                    "Addresses given to clients; defaults to the listeners.")
            .define(CONTROLLER_LISTENER_NAMES, Type.LIST, List.of("CONTROLLER"), HIGH,
                    "Names of the listeners that carry the metadata quorum.")
            .define(INTER_BROKER_LISTENER_NAME, Type.STRING, null, MEDIUM,
                    "Listener brokers use to reach each other, and the one whose address start-up prints. Unset:"
                    + " the listener named after " + SECURITY_INTER_BROKER_PROTOCOL + " (as Kafka derives it) if"
                    + " there is one, else the first client listener. Not together with " + SECURITY_INTER_BROKER_PROTOCOL
                    + ".")
            .define(SECURITY_INTER_BROKER_PROTOCOL, Type.STRING, SecurityProtocol.PLAINTEXT.name,
                    ConfigDef.ValidString.in(SecurityProtocol.names().toArray(new String[0])), MEDIUM,
                    "Security protocol between brokers; names the inter-broker listener when "
                    + INTER_BROKER_LISTENER_NAME + " is unset. Not together with " + INTER_BROKER_LISTENER_NAME + ".")
            .define(LISTENER_SECURITY_PROTOCOL_MAP, Type.STRING, "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    LOW, "Security protocol of each listener name, as comma-separated LISTENER_NAME:PROTOCOL pairs"
                            + " (a string, as Kafka types it): PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL are"
                            + " served (PLAINTEXT and SSL on controller listeners).")
            .define(CONTROLLER_QUORUM_VOTERS, Type.LIST, List.of("1@localhost:9093"), HIGH,
                    "Voters of the metadata quorum as id@host:port. Left unset while "
                    + CONTROLLER_QUORUM_BOOTSTRAP_SERVERS + " is set, the quorum is this node alone (what Kafka's"
                    + " 'kafka-storage format --standalone' makes of Kafka's own server.properties).")
            .define(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, Type.LIST, List.of(), HIGH,
                    "Controllers to find the quorum through, as host:port (KIP-853). Without "
                    + CONTROLLER_QUORUM_VOTERS + " it must be the one address of this node's controller listener;"
                    + " a dynamic quorum of several controllers is not supported: list them as voters.")
            .define(LOG_DIRS, Type.LIST, null, HIGH, "Directories that hold the partition logs.")
            .define(LOG_DIR, Type.LIST, List.of("./data"), HIGH,
                    "The log directories when log.dirs is not set (a list, as Kafka types it).")
            .define(METADATA_LOG_DIR, Type.STRING, null, HIGH,
                    "Directory of the metadata quorum's log; defaults to the first log dir.")
            .define(LOG_DIR_FAILURE_TIMEOUT_MS, Type.LONG, 30_000L, atLeast(1), LOW,
                    "How long a broker that keeps serving after one of its log directories failed waits for the"
                    + " controller to acknowledge that failure before it halts.")
            .define(NUM_PARTITIONS, Type.INT, 1, atLeast(1), MEDIUM, "Partitions of a topic created without a count.")
            .define(DEFAULT_REPLICATION_FACTOR, Type.INT, 1, between(1, Short.MAX_VALUE), MEDIUM,
                    "Replication factor of a topic created without one.")
            .define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, MEDIUM,
                    "Create a topic when a client asks for its metadata or produces to it.")
            .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, MEDIUM, "Allow topics to be deleted.")
            .define(TRANSACTION_PARTITION_VERIFICATION_ENABLE, Type.BOOLEAN, true, LOW,
                    "Before appending a transactional batch, ask the transaction coordinator whether its partition "
                            + "is in the producer's ongoing transaction (KIP-890); false appends it unverified.")
            .define("message.max.bytes", Type.INT, 1_048_588, atLeast(0), HIGH,
                    "Largest record batch a topic accepts by default (topic: max.message.bytes).")
            .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 104_857_600, atLeast(1), HIGH,
                    "Largest request frame; a larger one closes the connection before it is read.")
            .define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300_000L, atLeast(1), MEDIUM,
                    "How often old segments are looked for.")
            .define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
                    "How often logs are checked against log.flush.interval.ms.")
            .define(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, Type.INT, 60_000, atLeast(0), MEDIUM,
                    "How often recovery points and high watermarks are checkpointed.")
            .define(PRODUCER_ID_EXPIRATION_MS, Type.INT, 86_400_000, atLeast(1), LOW,
                    "How long an idle producer id's state is kept.")
            .define(NUM_NETWORK_THREADS, Type.INT, 0, atLeast(0), LOW,
                    "Network event loops; 0 means one per core.")
            .define(NUM_IO_THREADS, Type.INT, 8, atLeast(1), HIGH,
                    "Threads of the request pool: requests that touch disk or locks run there, off the"
                    + " network event loops.")
            .define(QUOTA_WINDOW_NUM, Type.INT, 11, atLeast(1), LOW,
                    "Samples kept in memory for client quotas (the rate is measured over this many windows).")
            .define(QUOTA_WINDOW_SIZE_SECONDS, Type.INT, 1, atLeast(1), LOW,
                    "Length in seconds of each sample of client quotas.")
            .define(BROKER_RACK, Type.STRING, null, LOW, "Rack of this broker.")
            .define(STRAND_HTTP_LISTENER, Type.STRING, "", (name, value) -> HttpListenerAddress.parse((String) value),
                    MEDIUM, "Strand's HTTP listener (health endpoints, Prometheus /metrics, REST API, console) as"
                    + " http://host:port, or https://host:port for TLS with the node's ssl.* key store, protocols,"
                    + " cipher suites and ssl.client.auth; an empty host binds every interface, port 0 an ephemeral"
                    + " port; empty disables it.")
            .define(STRAND_HTTP_AUTHENTICATION, Type.STRING, "none",
                    ConfigDef.CaseInsensitiveValidString.in("none", "basic"), MEDIUM,
                    "How HTTP callers authenticate: none (every caller is User:ANONYMOUS) or basic (HTTP Basic"
                    + " checked against the node's users: PLAIN users of SASL listeners' JAAS lines and SCRAM"
                    + " credentials; the caller is User:<name>). /health/live and /health/ready stay open.")
            .define(STRAND_HTTP_AUTHENTICATION_ALLOW_CLEARTEXT, Type.BOOLEAN, false, LOW,
                    "Allow " + STRAND_HTTP_AUTHENTICATION + "=basic on an http:// listener, where passwords cross"
                    + " the network in clear; without it that combination is refused at start.")
            .define(LOG_CLEANER_ENABLE, Type.BOOLEAN, true, MEDIUM, "Run the log cleaner (compaction).")
            .define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Type.LONG, 128L * 1024 * 1024, atLeast(1024), MEDIUM,
                    "Bytes of the cleaner's key-hash to offset map; a smaller map cleans in more passes.")
            .define(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, Type.DOUBLE, Double.MAX_VALUE, MEDIUM,
                    "Read plus written bytes per second the cleaner may use.")
            .define(LOG_CLEANER_BACKOFF_MS, Type.LONG, 15_000L, atLeast(1), MEDIUM,
                    "How long the cleaner sleeps when no log needs cleaning.")
            .define(LOG_CLEANER_THREADS, Type.INT, 1, atLeast(1), LOW,
                    "Accepted for compatibility; one cleaner thread runs.")
            // Replication and the broker lifecycle. Refused while PendingProperties names them.
            .define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, 30_000L, atLeast(1), HIGH,
                    "A follower that has not caught up with the leader's log end for this long leaves the ISR.")
            .define(REPLICA_FETCH_MAX_BYTES, Type.INT, 1_048_576, atLeast(0), MEDIUM,
                    "Bytes a follower asks for per partition in one fetch (a larger first batch still comes whole).")
            .define(REPLICA_FETCH_RESPONSE_MAX_BYTES, Type.INT, 10_485_760, atLeast(0), MEDIUM,
                    "Bytes a follower asks for in one fetch response in all.")
            .define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, atLeast(0), MEDIUM,
                    "Longest time a leader holds a follower's fetch waiting for data; at most "
                    + "replica.lag.time.max.ms.")
            .define(REPLICA_FETCH_MIN_BYTES, Type.INT, 1, atLeast(1), MEDIUM,
                    "Bytes a leader waits for before it answers a follower's fetch.")
            .define(REPLICA_FETCH_BACKOFF_MS, Type.INT, 1_000, atLeast(0), MEDIUM,
                    "Pause of a follower's fetcher after a fetch from a leader failed.")
            .define(NUM_REPLICA_FETCHERS, Type.INT, 1, atLeast(1), HIGH,
                    "Fetchers per source broker: a follower's partitions of one leader are spread over them.")
            .define(BROKER_SESSION_TIMEOUT_MS, Type.INT, 9_000, atLeast(1), MEDIUM,
                    "A broker without a heartbeat for this long is fenced by the controller.")
            .define(BROKER_HEARTBEAT_INTERVAL_MS, Type.INT, 2_000, atLeast(1), MEDIUM,
                    "How often a broker sends the controller a heartbeat.")
            .define(AUTO_LEADER_REBALANCE_ENABLE, Type.BOOLEAN, true, HIGH,
                    "Move partition leadership back to the preferred replica when leadership is unbalanced.")
            .define(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, Type.LONG, 300L, atLeast(1), HIGH,
                    "How often the controller checks whether leadership is unbalanced.")
            .define(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, Type.INT, 10, ConfigDef.Range.between(0, 100), HIGH,
                    "Share of a broker's preferred partitions it may not lead before leadership is moved back.")
            .define(TRANSACTION_STATE_LOG_REPLICATION_FACTOR, Type.SHORT, (short) 3, atLeast(1), HIGH,
                    "Replication factor of the transaction state topic (__transaction_state), created on first need;"
                    + " the transaction coordinator's settings read it.")
            .define(TRANSACTION_STATE_LOG_MIN_ISR, Type.INT, 2, atLeast(1), HIGH,
                    "min.insync.replicas of the transaction state topic (__transaction_state); the transaction"
                    + " coordinator's settings read it.")
            .define(SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, atLeast(1), MEDIUM,
                    "Replication factor of the share-group state topic (__share_group_state), created on first need;"
                    + " the share coordinator's settings read it.")
            .define(SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR, Type.SHORT, (short) 2, atLeast(1), MEDIUM,
                    "min.insync.replicas of the share-group state topic (__share_group_state); the share"
                    + " coordinator's settings read it.")
            .define(SOCKET_SEND_BUFFER_BYTES, Type.INT, -1, SOCKET_BUFFER_SIZE, MEDIUM,
                    "SO_SNDBUF of client connections; -1 for the OS default. Kafka's default is 102400;"
                    + " Strand leaves the size to the OS unless set, as Linux grows a buffer with its connection.")
            .define(SOCKET_RECEIVE_BUFFER_BYTES, Type.INT, -1, SOCKET_BUFFER_SIZE, MEDIUM,
                    "SO_RCVBUF of client connections; -1 for the OS default. Kafka's default is 102400;"
                    + " Strand leaves the size to the OS unless set, as Linux grows a buffer with its connection.")
            .define(NUM_RECOVERY_THREADS_PER_DATA_DIR, Type.INT, 2, atLeast(1), HIGH,
                    "Threads per log directory that recover logs at start-up and flush them at shutdown.")
            // Topic defaults that have no topic-level twin of the same unit.
            .define("log.retention.minutes", Type.INT, null, LOW, "Retention in minutes, if log.retention.ms is unset.")
            .define("log.retention.hours", Type.INT, 168, LOW, "Retention in hours, if ms and minutes are unset.")
            .define("log.roll.hours", Type.INT, 168, atLeast(1), LOW, "Segment age at roll, if log.roll.ms is unset.")
            .define("log.roll.jitter.hours", Type.INT, 0, atLeast(0), LOW, "Roll jitter in hours.")
            .define(MAX_CONNECTIONS, Type.INT, Integer.MAX_VALUE, atLeast(0), MEDIUM,
                    "Connections the node accepts on all its listeners together (also per listener as"
                            + " listener.name.<listener>.max.connections); the inter-broker listener is admitted past"
                            + " the node's limit by closing the least recently active connection of another listener.")
            .define(MAX_CONNECTIONS_PER_IP, Type.INT, Integer.MAX_VALUE, atLeast(0), MEDIUM,
                    "Connections allowed from one address; more are closed when accepted.")
            .define(MAX_CONNECTIONS_PER_IP_OVERRIDES, Type.STRING, "", MEDIUM,
                    "Per address or host name limits overriding max.connections.per.ip, as host:count,host:count.")
            .define(MAX_CONNECTION_CREATION_RATE, Type.INT, Integer.MAX_VALUE, atLeast(0), MEDIUM,
                    "Connections the node accepts per second on all its listeners but the inter-broker one (also"
                            + " per listener as listener.name.<listener>.max.connection.creation.rate).")
            .define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600_000L, MEDIUM,
                    "A connection that reads and writes nothing for this long is closed; negative for never.")
            .define(QUEUED_MAX_REQUEST_BYTES, Type.LONG, -1L, MEDIUM,
                    "Bytes that requests read and not yet answered may hold, past which connections stop reading."
                            + " Kafka leaves it unbounded at -1 (or any value up to 0); Strand then bounds it to a"
                            + " quarter of the heap, which only holds reading back where the heap would run out.")
            .define(PRINCIPAL_BUILDER_CLASS, Type.CLASS, null, MEDIUM,
                    "A class implementing org.apache.kafka.common.security.auth.KafkaPrincipalBuilder that names"
                            + " each connection's principal; by default Kafka's DefaultKafkaPrincipalBuilder")
            .define(SASL_ENABLED_MECHANISMS, Type.LIST, List.of("GSSAPI"), MEDIUM,
                    "SASL mechanisms a SASL listener serves (per listener with listener.name.<l>.): PLAIN,"
                            + " SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER. Kafka's default, GSSAPI, is not served: a SASL listener"
                            + " must name its mechanisms.")
            .define(SASL_MECHANISM_INTER_BROKER_PROTOCOL, Type.STRING, "GSSAPI", MEDIUM,
                    "SASL mechanism brokers authenticate to each other with when the inter-broker listener is a"
                            + " SASL one (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), with the username and password of that"
                            + " listener's JAAS line for it.")
            .define(SASL_MECHANISM_CONTROLLER_PROTOCOL, Type.STRING, "GSSAPI", MEDIUM,
                    "SASL mechanism voters and brokers authenticate to the controller listener with when it is a SASL"
                            + " one, with the username and password of that listener's JAAS line for it. Only PLAIN is"
                            + " served there (Kafka's default, GSSAPI, is not; SCRAM's credentials live in the metadata"
                            + " log, which cannot be read before authenticating).")
            .define(SASL_SERVER_MAX_RECEIVE_SIZE, Type.INT, 524_288, atLeast(1), MEDIUM,
                    "Largest request frame a SASL connection may send before it has authenticated; a larger one"
                            + " closes the connection before anything is allocated for it.")
            .define(CONNECTIONS_MAX_REAUTH_MS, Type.LONG, 0L, atLeast(0), MEDIUM,
                    "Longest session of a SASL connection before the client must re-authenticate (KIP-368);"
                            + " 0 for no limit. Per listener and mechanism with"
                            + " listener.name.<l>.<mechanism>.connections.max.reauth.ms.")
            // OAUTHBEARER token validation, Kafka's names, types and defaults; read by
            // OAuthBearerValidatorCallbackHandler on listeners enabling OAUTHBEARER (also per listener).
            .define(SASL_OAUTHBEARER_JWKS_ENDPOINT_URL, Type.STRING, null, MEDIUM,
                    "Where an OAUTHBEARER listener's validator reads the JWKS that signs tokens: an https URL"
                            + " (refreshed) or a file: URL. Allowed only when listed in the JVM's system property"
                            + " org.apache.kafka.sasl.oauthbearer.allowed.urls, as in Kafka.")
            .define(SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS, Type.LONG, 3_600_000L, LOW,
                    "Interval between refreshes of an https JWKS.")
            .define(SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MS, Type.LONG, 100L, LOW,
                    "First wait between attempts to read an https JWKS.")
            .define(SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MAX_MS, Type.LONG, 10_000L, LOW,
                    "Longest wait between attempts to read an https JWKS.")
            .define(SASL_OAUTHBEARER_EXPECTED_AUDIENCE, Type.LIST, null, LOW,
                    "Audiences of which a token's aud claim must name one; unset accepts any.")
            .define(SASL_OAUTHBEARER_EXPECTED_ISSUER, Type.STRING, null, LOW,
                    "The iss claim a token must carry; unset accepts any.")
            .define(SASL_OAUTHBEARER_SCOPE_CLAIM_NAME, Type.STRING, "scope", LOW,
                    "Name of the claim holding a token's scope.")
            .define(SASL_OAUTHBEARER_SUB_CLAIM_NAME, Type.STRING, "sub", LOW,
                    "Name of the claim holding a token's subject, the principal's name.")
            .define(SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS, Type.INT, 30, LOW,
                    "Seconds of clock difference with the identity provider tolerated in exp, nbf and iat.")
            .define(SASL_OAUTHBEARER_JWT_VALIDATOR_CLASS, Type.CLASS,
                    "org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator", LOW,
                    "The org.apache.kafka.common.security.oauthbearer.JwtValidator an OAUTHBEARER listener's"
                            + " validator uses (Kafka's; the default checks signatures against the JWKS).");

    static {
        SslProperties.define(DEF);
        Set<String> dynamic = new java.util.HashSet<>();
        for (String topicConfig : TopicConfigs.names()) {
            List<String> synonyms = TopicConfigs.brokerSynonyms(topicConfig);
            for (String synonym : synonyms) {
                if (!DEF.names().contains(synonym)) {
                    ConfigDef.ConfigKey key = TopicConfigs.DEF.configKeys().get(topicConfig);
                    ConfigDef.Validator topicValidator = key.validator;
                    ConfigDef.Validator unsetOrValid = (n, v) -> {
                        if (v != null && topicValidator != null) {
                            topicValidator.ensureValid(n, v);
                        }
                    };
                    DEF.define(synonym, key.type, null, unsetOrValid, LOW,
                            "Broker default of topic config " + topicConfig + ".");
                }
            }
            if (!synonyms.isEmpty()) {
                dynamic.add(synonyms.get(0));
            }
        }
        DYNAMIC = Collections.unmodifiableSet(dynamic);
    }

    private final AbstractConfig values;
    private final Map<String, String> originals;

    private BrokerConfig(Map<String, String> props, List<ConfigDef> moduleDefs, Map<String, String> refused) {
        for (String name : props.keySet()) {
            String unprefixed = ListenerOverrides.unprefixed(name);
            if (!DEF.names().contains(unprefixed) && moduleDefs.stream().noneMatch(d -> d.names().contains(name))
                    && !ListenerOverrides.isMechanismProperty(name)) {
                throw new ConfigException("Unknown configuration property '" + name + "'");
            }
        }
        PendingProperties.check(props, refused);
        for (ConfigDef moduleDef : moduleDefs) {
            Map<String, String> own = new LinkedHashMap<>();
            props.forEach((name, value) -> {
                if (moduleDef.names().contains(name)) {
                    own.put(name, value);
                }
            });
            moduleDef.parse(own);
        }
        Map<String, String> common = new LinkedHashMap<>();
        props.forEach((name, value) -> {
            if (DEF.names().contains(ListenerOverrides.unprefixed(name)) || ListenerOverrides.isMechanismProperty(name)) {
                common.put(name, value);
            }
        });
        this.originals = Collections.unmodifiableMap(new LinkedHashMap<>(props));
        this.values = new AbstractConfig(DEF, common, false);
        validate();
    }

    /** Validates {@code props}; throws {@link ConfigException} naming the first bad property. */
    public static BrokerConfig of(Map<String, String> props) {
        return new BrokerConfig(props, List.of(), PendingProperties.REFUSED);
    }

    /**
     * Validates {@code props}, also against the definitions of modules that keep their own settings
     * (the group coordinator's, for one); those modules read their values from {@link #originals()}.
     */
    public static BrokerConfig of(Map<String, String> props, List<ConfigDef> moduleDefs) {
        return new BrokerConfig(props, moduleDefs, PendingProperties.REFUSED);
    }

    /**
     * As {@link #of(Map)}, but also accepting the properties {@link PendingProperties} still refuses:
     * for tests of their definitions, before the parts that use them exist.
     */
    static BrokerConfig ofIncludingPending(Map<String, String> props) {
        return new BrokerConfig(props, List.of(), Map.of());
    }

    public static BrokerConfig defaults() {
        return of(Map.of());
    }

    private void validate() {
        listeners();
        for (String voter : getList(CONTROLLER_QUORUM_VOTERS)) {
            QuorumVoter.parse(voter);
        }
        for (String server : getList(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS)) {
            BootstrapServer.parse(server);
        }
        if (original(INTER_BROKER_LISTENER_NAME) != null && original(SECURITY_INTER_BROKER_PROTOCOL) != null) {
            throw new ConfigException("Only one of " + INTER_BROKER_LISTENER_NAME + " and "
                    + SECURITY_INTER_BROKER_PROTOCOL + " may be set");
        }
        if (replicaFetchWaitMaxMs() > replicaLagTimeMaxMs()) {
            throw new ConfigException(REPLICA_FETCH_WAIT_MAX_MS, replicaFetchWaitMaxMs(), "must be at most "
                    + REPLICA_LAG_TIME_MAX_MS + " (" + replicaLagTimeMaxMs() + "), or followers leave the ISR"
                    + " while a fetch waits");
        }
        ListenerRules.validate(this);
        ListenerOverrides.validate(this);
        validateHttpListener();
        maxConnectionsPerIpOverrides();
        if (getInt(MAX_CONNECTIONS_PER_IP) == 0 && maxConnectionsPerIpOverrides().isEmpty()) {
            throw new ConfigException(MAX_CONNECTIONS_PER_IP, 0, "may be 0 only if "
                    + MAX_CONNECTIONS_PER_IP_OVERRIDES + " is set");
        }
    }

    /**
     * {@code max.connections.per.ip.overrides}: host name or address → connections allowed from it, in
     * the order given.
     *
     * @throws ConfigException for an entry that is not {@code host:count} with a count of at least 0
     */
    public Map<String, Integer> maxConnectionsPerIpOverrides() {
        Map<String, Integer> overrides = new LinkedHashMap<>();
        String value = getString(MAX_CONNECTIONS_PER_IP_OVERRIDES).trim();
        if (value.isEmpty()) {
            return overrides;
        }
        for (String entry : value.split(",")) {
            int colon = entry.lastIndexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException();
                }
                int count = Integer.parseInt(entry.substring(colon + 1).trim());
                if (count < 0) {
                    throw new NumberFormatException();
                }
                overrides.put(entry.substring(0, colon).trim(), count);
            } catch (NumberFormatException e) {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, value,
                        "each entry is host:count with a count of at least 0; not '" + entry + "'");
            }
        }
        return overrides;
    }

    /**
     * The roles of this node, from {@code process.roles} (the list type already drops a repeated name).
     *
     * @throws ConfigException if the list is empty
     */
    public Set<ProcessRole> processRoles() {
        List<String> names = getList(PROCESS_ROLES);
        Set<ProcessRole> roles = java.util.EnumSet.noneOf(ProcessRole.class);
        for (String name : names) {
            roles.add(ProcessRole.parse(name));
        }
        if (roles.isEmpty()) {
            throw new ConfigException(PROCESS_ROLES, names, "name broker, controller or both");
        }
        return Collections.unmodifiableSet(roles);
    }

    public int nodeId() {
        return values.getInt(NODE_ID);
    }

    public int getInt(String name) {
        return values.getInt(name);
    }

    public double getDouble(String name) {
        return values.getDouble(name);
    }

    public short getShort(String name) {
        return values.getShort(name);
    }

    public long getLong(String name) {
        return values.getLong(name);
    }

    public boolean getBoolean(String name) {
        return values.getBoolean(name);
    }

    public String getString(String name) {
        return values.getString(name);
    }

    public List<String> getList(String name) {
        return values.getList(name);
    }

    /**
     * The configuration a listener runs with: every property's value, where
     * {@code listener.name.<listener>.<property>} overrides {@code <property>} (parsed and validated as
     * the property is), plus the listener's own mechanism-prefixed SASL properties under their names
     * without the listener prefix (for example {@code plain.sasl.jaas.config}), as Kafka's
     * {@code valuesWithPrefixOverride} gives a listener's channel builder.
     */
    public Map<String, Object> listenerValues(String listenerName) {
        String prefix = ListenerOverrides.prefix(listenerName);
        Map<String, Object> result = new LinkedHashMap<>(values.valuesWithPrefixOverride(prefix));
        for (Map.Entry<String, String> e : originals.entrySet()) {
            if (e.getKey().startsWith(prefix) && ListenerOverrides.isMechanismProperty(e.getKey())) {
                result.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return result;
    }

    /** The property as the user set it, or null if it was left to its default. */
    public String original(String name) {
        return originals.get(name);
    }

    public Map<String, String> originals() {
        return originals;
    }

    /** The HTTP listener ({@value #STRAND_HTTP_LISTENER}), or empty when it is off. */
    public Optional<HttpListenerAddress> httpListener() {
        return HttpListenerAddress.parse(getString(STRAND_HTTP_LISTENER));
    }

    /** Whether HTTP callers authenticate with HTTP Basic ({@value #STRAND_HTTP_AUTHENTICATION}{@code =basic}). */
    public boolean httpBasicAuthentication() {
        return getString(STRAND_HTTP_AUTHENTICATION).trim().equalsIgnoreCase("basic");
    }

    /**
     * The node's own properties, parsed (the broker-wide {@code ssl.*} ones among them, passwords as
     * {@code Password}), without any listener's overrides: what the HTTP listener's TLS reads.
     */
    public Map<String, Object> nodeValues() {
        return new LinkedHashMap<>(values.values());
    }

    /**
     * An https listener needs the node's key store; Basic authentication over http needs
     * {@value #STRAND_HTTP_AUTHENTICATION_ALLOW_CLEARTEXT}.
     */
    private void validateHttpListener() {
        Optional<HttpListenerAddress> http = httpListener();
        if (http.isEmpty()) {
            return;
        }
        if (http.get().tls() && values.getString("ssl.keystore.location") == null
                && values.getPassword("ssl.keystore.key") == null) {
            throw new ConfigException(STRAND_HTTP_LISTENER + "=" + getString(STRAND_HTTP_LISTENER)
                    + " serves TLS but the node has no key store: set ssl.keystore.location (or ssl.keystore.key"
                    + " with ssl.keystore.type=PEM), or use http://");
        }
        if (!http.get().tls() && httpBasicAuthentication() && !getBoolean(STRAND_HTTP_AUTHENTICATION_ALLOW_CLEARTEXT)) {
            throw new ConfigException(STRAND_HTTP_AUTHENTICATION + "=basic on " + STRAND_HTTP_LISTENER + "="
                    + getString(STRAND_HTTP_LISTENER) + " would send passwords in clear: serve https://, or set "
                    + STRAND_HTTP_AUTHENTICATION_ALLOW_CLEARTEXT + "=true to accept that");
        }
    }

    /** Every listener this node binds. */
    public List<Listener> listeners() {
        List<Listener> result = new ArrayList<>();
        for (String spec : getList(LISTENERS)) {
            result.add(Listener.parse(LISTENERS, spec));
        }
        return result;
    }

    /**
     * Listeners as given to clients: advertised.listeners, else the bound ones; controller listeners
     * excluded either way. Kafka 4's own server.properties advertises its CONTROLLER listener too
     * (how other nodes reach a controller, KIP-853); that is no client endpoint and is not registered.
     */
    public List<Listener> advertisedListeners() {
        List<String> advertised = values.getList(ADVERTISED_LISTENERS);
        List<Listener> result = new ArrayList<>();
        if (advertised == null) {
            for (Listener l : listeners()) {
                if (!controllerListenerNames().contains(l.name())) {
                    result.add(l.host().isEmpty() ? new Listener(l.name(), "localhost", l.port()) : l);
                }
            }
        } else {
            for (String spec : advertised) {
                Listener l = Listener.parse(ADVERTISED_LISTENERS, spec);
                if (!controllerListenerNames().contains(l.name())) {
                    result.add(l);
                }
            }
        }
        return result;
    }

    /**
     * The inter-broker listener, whose address start-up prints for clients: the client listener named
     * by {@link #interBrokerListenerName()}, or null if none is (validation refuses that on a broker).
     */
    public Listener brokerListener() {
        String name = interBrokerListenerName();
        return clientListeners().stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * The name of the listener brokers reach each other on: {@code inter.broker.listener.name} if set;
     * else, as Kafka derives it, the listener named after {@code security.inter.broker.protocol}
     * (default PLAINTEXT), if this node has such a client listener or the protocol was set; else the
     * first client listener.
     */
    public String interBrokerListenerName() {
        String explicit = getString(INTER_BROKER_LISTENER_NAME);
        if (explicit != null) {
            return ListenerRules.normalise(explicit);
        }
        String byProtocol = ListenerRules.normalise(getString(SECURITY_INTER_BROKER_PROTOCOL));
        List<Listener> clients = clientListeners();
        if (original(SECURITY_INTER_BROKER_PROTOCOL) != null || clients.isEmpty()
                || clients.stream().anyMatch(l -> l.name().equals(byProtocol))) {
            return byProtocol;
        }
        return clients.get(0).name();
    }

    /** {@code controller.listener.names}, upper-cased as listener names are. */
    public List<String> controllerListenerNames() {
        return getList(CONTROLLER_LISTENER_NAMES).stream().map(ListenerRules::normalise).toList();
    }

    /** Every listener that is not a controller listener, in the order given: each one serves clients. */
    public List<Listener> clientListeners() {
        List<String> controllerNames = controllerListenerNames();
        return listeners().stream().filter(l -> !controllerNames.contains(l.name())).toList();
    }

    /** The listener of the metadata quorum: the first of {@code controller.listener.names} that is bound. */
    public java.util.Optional<Listener> controllerListener() {
        List<Listener> listeners = listeners();
        for (String name : controllerListenerNames()) {
            for (Listener l : listeners) {
                if (l.name().equals(name)) {
                    return java.util.Optional.of(l);
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** The security protocol of a listener name, from {@code listener.security.protocol.map}. */
    public SecurityProtocol securityProtocol(String listenerName) {
        return ListenerRules.securityProtocol(this, listenerName);
    }

    /**
     * The voters of the metadata quorum: {@code controller.quorum.voters}; or, when only
     * {@code controller.quorum.bootstrap.servers} is set, this node alone on its one bootstrap address
     * (a quorum found through several bootstrap servers needs KIP-853's dynamic voters, not supported).
     * Empty for a broker-only node configured with bootstrap servers alone: it asks them for the
     * voters when it starts ({@link #quorumBootstrapServers()}).
     *
     * @throws ConfigException if neither property lists a controller, or the bootstrap servers do not
     *     describe this node as the single controller
     */
    public List<QuorumVoter> quorumVoters() {
        List<String> bootstrap = getList(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS);
        if (original(CONTROLLER_QUORUM_VOTERS) == null && !bootstrap.isEmpty()) {
            if (!processRoles().contains(ProcessRole.CONTROLLER)) {
                return List.of();
            }
            return List.of(ListenerRules.standaloneVoter(this, bootstrap));
        }
        List<String> voters = getList(CONTROLLER_QUORUM_VOTERS);
        if (voters.isEmpty()) {
            throw new ConfigException("Either " + CONTROLLER_QUORUM_BOOTSTRAP_SERVERS + " must list the"
                    + " controllers or " + CONTROLLER_QUORUM_VOTERS + " must list the voters, as id@host:port");
        }
        return voters.stream().map(QuorumVoter::parse).toList();
    }

    /** {@code controller.quorum.bootstrap.servers}: where a node without the voters listed finds them. */
    public List<BootstrapServer> quorumBootstrapServers() {
        return getList(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS).stream().map(BootstrapServer::parse).toList();
    }

    /** {@code replica.lag.time.max.ms}. */
    public long replicaLagTimeMaxMs() {
        return getLong(REPLICA_LAG_TIME_MAX_MS);
    }

    /** {@code replica.fetch.max.bytes}: a follower's per-partition fetch size. */
    public int replicaFetchMaxBytes() {
        return getInt(REPLICA_FETCH_MAX_BYTES);
    }

    /** {@code replica.fetch.response.max.bytes}: a follower's fetch size in all. */
    public int replicaFetchResponseMaxBytes() {
        return getInt(REPLICA_FETCH_RESPONSE_MAX_BYTES);
    }

    /** {@code replica.fetch.wait.max.ms}: a follower fetch's MaxWaitMs; at most {@link #replicaLagTimeMaxMs()}. */
    public int replicaFetchWaitMaxMs() {
        return getInt(REPLICA_FETCH_WAIT_MAX_MS);
    }

    /** {@code replica.fetch.min.bytes}: a follower fetch's MinBytes. */
    public int replicaFetchMinBytes() {
        return getInt(REPLICA_FETCH_MIN_BYTES);
    }

    /** {@code replica.fetch.backoff.ms}: a fetcher's pause after a failed fetch. */
    public int replicaFetchBackoffMs() {
        return getInt(REPLICA_FETCH_BACKOFF_MS);
    }

    /** {@code num.replica.fetchers}: fetchers per source broker. */
    public int numReplicaFetchers() {
        return getInt(NUM_REPLICA_FETCHERS);
    }

    /** {@code broker.session.timeout.ms}: the controller fences a broker silent this long. */
    public int brokerSessionTimeoutMs() {
        return getInt(BROKER_SESSION_TIMEOUT_MS);
    }

    /** {@code broker.heartbeat.interval.ms}. */
    public int brokerHeartbeatIntervalMs() {
        return getInt(BROKER_HEARTBEAT_INTERVAL_MS);
    }

    /** Kafka's {@code log.dir.failure.timeout.ms}: how long a failed log directory may go unacknowledged. */
    public long logDirFailureTimeoutMs() {
        return getLong(LOG_DIR_FAILURE_TIMEOUT_MS);
    }

    /**
     * {@code unclean.leader.election.enable} as the broker default of the topic config of that name
     * (false unless set here).
     */
    public boolean uncleanLeaderElectionEnable() {
        return Boolean.TRUE.equals(values.getBoolean(UNCLEAN_LEADER_ELECTION_ENABLE));
    }

    /** {@code auto.leader.rebalance.enable}. */
    public boolean transactionPartitionVerificationEnable() {
        return getBoolean(TRANSACTION_PARTITION_VERIFICATION_ENABLE);
    }

    public boolean autoLeaderRebalanceEnable() {
        return getBoolean(AUTO_LEADER_REBALANCE_ENABLE);
    }

    /** {@code leader.imbalance.check.interval.seconds}. */
    public long leaderImbalanceCheckIntervalSeconds() {
        return getLong(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS);
    }

    /** {@code leader.imbalance.per.broker.percentage}. */
    public int leaderImbalancePerBrokerPercentage() {
        return getInt(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE);
    }

    /** {@code transaction.state.log.replication.factor}: of {@code __transaction_state}. */
    public short transactionStateLogReplicationFactor() {
        return getShort(TRANSACTION_STATE_LOG_REPLICATION_FACTOR);
    }

    /** {@code transaction.state.log.min.isr}: {@code min.insync.replicas} of {@code __transaction_state}. */
    public int transactionStateLogMinIsr() {
        return getInt(TRANSACTION_STATE_LOG_MIN_ISR);
    }

    /** {@code socket.send.buffer.bytes}; -1 for the OS default. */
    public int socketSendBufferBytes() {
        return getInt(SOCKET_SEND_BUFFER_BYTES);
    }

    /** {@code socket.receive.buffer.bytes}; -1 for the OS default. */
    public int socketReceiveBufferBytes() {
        return getInt(SOCKET_RECEIVE_BUFFER_BYTES);
    }

    /** {@code num.recovery.threads.per.data.dir}. */
    public int numRecoveryThreadsPerDataDir() {
        return getInt(NUM_RECOVERY_THREADS_PER_DATA_DIR);
    }

    public List<Path> logDirs() {
        List<String> dirs = values.getList(LOG_DIRS);
        if (dirs == null || dirs.isEmpty()) {
            dirs = values.getList(LOG_DIR);
        }
        return dirs.stream().map(Path::of).toList();
    }

    public Path metadataLogDir() {
        String dir = getString(METADATA_LOG_DIR);
        return dir != null ? Path.of(dir) : logDirs().get(0);
    }

    /** True if {@code name} may be altered at run time as a broker (or cluster default) config. */
    public static boolean isDynamic(String name) {
        return DYNAMIC.contains(name);
    }

    /**
     * True if IncrementalAlterConfigs and AlterConfigs may store {@code name} as a broker (or cluster
     * default) config: a dynamic property, or one this broker does not define. As Kafka's brokers, which
     * refuse only the properties they know to be static: plugins read properties of their own.
     */
    public static boolean isAlterable(String name) {
        return isDynamic(name) || !DEF.names().contains(name);
    }

    /**
     * A broker property's default as Kafka's broker reports it (DEFAULT_CONFIG), as a string: its own
     * default, else, for a property that alone supplies a topic config's default, that topic config's
     * default; null if it has none. {@code log.flush.interval.ms} has none: Kafka's broker leaves it
     * unset (its flush then follows {@code log.flush.scheduler.interval.ms}).
     */
    public static String defaultValue(String property) {
        ConfigDef.ConfigKey key = DEF.configKeys().get(property);
        if (key == null || NO_DEFAULT.contains(property)) {
            return null;
        }
        if (key.hasDefault() && key.defaultValue != null) {
            return ConfigDef.convertToString(key.defaultValue, key.type);
        }
        for (String topicConfig : TopicConfigs.names()) {
            if (TopicConfigs.brokerSynonyms(topicConfig).equals(List.of(property))) {
                ConfigDef.ConfigKey topicKey = TopicConfigs.DEF.configKeys().get(topicConfig);
                return topicKey.hasDefault() && topicKey.defaultValue != null
                        ? ConfigDef.convertToString(topicKey.defaultValue, topicKey.type) : null;
            }
        }
        return null;
    }

    /** Converts a broker synonym's value into the unit of its topic config (minutes/hours to ms). */
    public static String toTopicUnit(String brokerProperty, String value) {
        if (value == null) {
            return null;
        }
        if (brokerProperty.endsWith(".minutes")) {
            return Long.toString(TimeUnit.MINUTES.toMillis(Long.parseLong(value.trim())));
        }
        if (brokerProperty.endsWith(".hours")) {
            return Long.toString(TimeUnit.HOURS.toMillis(Long.parseLong(value.trim())));
        }
        return value;
    }

    /** A listener: {@code NAME://host:port}. An empty host means every interface. */
    public record Listener(String name, String host, int port) {
        static Listener parse(String property, String spec) {
            int sep = spec.indexOf("://");
            int colon = spec.lastIndexOf(':');
            if (sep <= 0 || colon <= sep) {
                throw new ConfigException(property, spec, "expected NAME://host:port");
            }
            try {
                int port = Integer.parseInt(spec.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new Listener(spec.substring(0, sep).toUpperCase(java.util.Locale.ROOT),
                        spec.substring(sep + 3, colon), port);
            } catch (NumberFormatException e) {
                throw new ConfigException(property, spec, "the port must be a number from 0 to 65535");
            }
        }
    }

    /** An entry of {@code controller.quorum.bootstrap.servers}: {@code host:port}. */
    public record BootstrapServer(String host, int port) {
        static BootstrapServer parse(String spec) {
            int colon = spec.lastIndexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException();
                }
                int port = Integer.parseInt(spec.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new BootstrapServer(spec.substring(0, colon), port);
            } catch (NumberFormatException e) {
                throw new ConfigException(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, spec, "expected host:port");
            }
        }
    }

    /** A voter of the metadata quorum: {@code id@host:port}. */
    public record QuorumVoter(int id, String host, int port) {
        static QuorumVoter parse(String spec) {
            int at = spec.indexOf('@');
            int colon = spec.lastIndexOf(':');
            try {
                if (at <= 0 || colon <= at) {
                    throw new NumberFormatException();
                }
                return new QuorumVoter(Integer.parseInt(spec.substring(0, at)), spec.substring(at + 1, colon),
                        Integer.parseInt(spec.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, spec, "expected id@host:port");
            }
        }
    }
}
