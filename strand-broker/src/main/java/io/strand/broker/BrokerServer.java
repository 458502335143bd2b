package io.strand.broker;

import io.strand.broker.auth.Authorization;
import io.strand.broker.auth.AuthorizerConfig;
import io.strand.broker.network.ScramCredentialStore;
import io.strand.broker.metrics.BrokerMetrics;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.ProcessRole;
import io.strand.coordinator.group.CommittedOffset;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import io.strand.storage.LogManager;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Strand node, made of the components its {@code process.roles} call for, started in
 * dependency order and closed in reverse:
 *
 * <ol>
 *   <li>{@link SharedComponent} (every role): the log directories and the log manager;</li>
 *   <li>{@link ControllerComponent} (controller role): the metadata quorum and the controller; or,
 *       on a node without that role, the {@link ObserverComponent}: a non-voting follower of the
 *       controllers' metadata log;</li>
 *   <li>{@link BrokerComponent} (broker role): replicas, groups, handlers, client listeners,
 *       registration.</li>
 * </ol>
 *
 * <p>{@code broker,controller} is the combined node clients use. {@code controller} alone runs a
 * voter of the metadata quorum and serves no client, and never registers as a broker. {@code broker}
 * alone follows the metadata log of the voters ({@code controller.quorum.voters}, or found through
 * {@code controller.quorum.bootstrap.servers}) as an observer that does not vote, registers with
 * the active controller and serves clients. When a component fails to start, every component
 * started so far is closed (no thread, port or file lock stays) and the failure is rethrown. Shutdown ends with the logs'
 * clean-shutdown marker.
 *
 * <p>Thread-safe: {@link #start} once, {@link #close} from any thread, idempotent.
 */
public final class BrokerServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);

    private final BrokerConfig config;
    private final NodeLifecycle lifecycle;
    private final Optional<BrokerComponent> broker;
    private final Optional<ControllerComponent> controller;
    private final SharedComponent shared;
    private final NodeReadiness readiness;
    private boolean closed;

    private BrokerServer(BrokerConfig config, NodeLifecycle lifecycle, Optional<BrokerComponent> broker,
                         Optional<ControllerComponent> controller, SharedComponent shared, NodeReadiness readiness) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.broker = broker;
        this.controller = controller;
        this.shared = shared;
        this.readiness = readiness;
    }

    /**
     * What the process hosting the node (its HTTP side) hands it: where the broker records its
     * metrics, and the readiness its start and close move forward (created before the start, so that
     * a health endpoint can answer while the node starts).
     */
    public record Instrumentation(BrokerMetrics metrics, NodeReadiness readiness) {
        /** No metrics, a readiness nobody reads. */
        public static Instrumentation none() {
            return new Instrumentation(BrokerMetrics.NONE, new NodeReadiness());
        }
    }

    /**
     * One partition this broker hosts, as read when asked (for gauges read at scrape time).
     *
     * @param leader            whether this broker leads it
     * @param replicas          the size of its replica set
     * @param isrSize           the size of its ISR in use (as the controller last accepted it)
     * @param minInsyncReplicas its topic's {@code min.insync.replicas}
     */
    public record HostedPartition(String topic, int partition, boolean leader, long logStartOffset,
                                  long logEndOffset, long highWatermark, long sizeBytes, int replicas,
                                  int isrSize, int minInsyncReplicas) {

        /** Led here with fewer in-sync replicas than replicas: Kafka's {@code UnderReplicatedPartitions}. */
        public boolean underReplicated() {
            return leader && isrSize < replicas;
        }

        /** Led here with fewer in-sync replicas than {@code min.insync.replicas}: acks=all produces fail. */
        public boolean underMinIsr() {
            return leader && isrSize < minInsyncReplicas;
        }

        /** Led here with exactly {@code min.insync.replicas} in sync: one more loss stops acks=all produces. */
        public boolean atMinIsr() {
            return leader && isrSize == minInsyncReplicas;
        }
    }

    /** Validates a node's properties: the common broker ones and those of the modules it runs. */
    public static BrokerConfig config(Map<String, String> props) {
        BrokerConfig config = BrokerConfig.of(props, List.of(GroupCoordinatorConfig.DEF,
                TransactionCoordinatorConfig.DEF, AuthorizerConfig.DEF, io.strand.broker.share.ShareGroupConfig.DEF,
                io.strand.coordinator.share.ShareCoordinatorConfig.DEF));
        AuthorizerConfig.from(config.originals()); // refuses an authorizer class Strand does not have
        io.strand.broker.share.ShareGroupConfig.from(config.originals()); // and share settings out of bounds
        return config;
    }

    /**
     * Starts the components of {@code config}'s roles and returns once the node serves (a broker:
     * its image caught up, its listeners bound, itself registered).
     */
    public static BrokerServer start(BrokerConfig config, Time time) throws Exception {
        return start(config, time, Instrumentation.none());
    }

    /**
     * As {@link #start(BrokerConfig, Time)}, recording into {@code instrumentation}'s metrics and moving
     * its readiness to {@link NodeReadiness.Phase#SERVING} once the node serves.
     */
    public static BrokerServer start(BrokerConfig config, Time time, Instrumentation instrumentation)
            throws Exception {
        Set<ProcessRole> roles = config.processRoles();
        List<NodeComponent> components = new ArrayList<>();
        SharedComponent shared = new SharedComponent(config, time);
        components.add(shared);
        MetadataRole metadata;
        Optional<ControllerComponent> controller = Optional.empty();
        if (roles.contains(ProcessRole.CONTROLLER)) {
            controller = Optional.of(new ControllerComponent(config, time, shared.imageListeners()));
            metadata = controller.get();
            components.add(controller.get());
        } else {
            ObserverComponent observer = new ObserverComponent(config, time, shared.imageListeners());
            metadata = observer;
            components.add(observer);
        }
        Optional<BrokerComponent> broker = Optional.empty();
        if (roles.contains(ProcessRole.BROKER)) {
            broker = Optional.of(new BrokerComponent(config, time, shared, metadata, instrumentation));
            components.add(broker.get());
        }
        NodeLifecycle lifecycle = NodeLifecycle.startAll(components);
        if (broker.isEmpty()) {
            instrumentation.readiness().enterServing(Optional::empty);
            LOG.info("Node {} runs the controller role only: a metadata quorum voter on {}, no client listener",
                    config.nodeId(), controller.orElseThrow().quorum().raftAddress());
        } else if (controller.isEmpty()) {
            LOG.info("Node {} runs the broker role only: it follows the metadata log of the voters {} without voting",
                    config.nodeId(), metadata.voters().keySet());
        }
        return new BrokerServer(config, lifecycle, broker, controller, shared, instrumentation.readiness());
    }

    /**
     * Where clients connect on the {@code inter.broker.listener.name} listener (the real port if
     * the listener asked for port 0).
     *
     * @throws IllegalStateException on a node without the broker role
     */
    public InetSocketAddress clientAddress() {
        return clientListeners().get(config.brokerListener().name());
    }

    /**
     * Every client listener's bound address by listener name, in the order configured.
     *
     * @throws IllegalStateException on a node without the broker role
     */
    public Map<String, InetSocketAddress> clientListeners() {
        return broker.orElseThrow(() -> new IllegalStateException(
                "process.roles=" + config.getList(BrokerConfig.PROCESS_ROLES) + ": this node serves no clients"))
                .boundListeners();
    }

    public BrokerConfig config() {
        return config;
    }

    /**
     * The authorizer this node's handlers ask ({@link Authorization#NONE} when
     * {@code authorizer.class.name} is empty), for callers that reach the node other than through a
     * Kafka listener: the HTTP API authorizes its callers with it.
     *
     * @throws IllegalStateException on a node without the broker role
     */
    public Authorization authorization() {
        return brokerComponent().authorization();
    }

    /**
     * The SCRAM credentials of the metadata image, as the SASL listeners check them.
     *
     * @throws IllegalStateException on a node without the broker role
     */
    public ScramCredentialStore scramCredentials() {
        return brokerComponent().scramCredentials();
    }

    private BrokerComponent brokerComponent() {
        return broker.orElseThrow(() -> new IllegalStateException(
                "process.roles=" + config.getList(BrokerConfig.PROCESS_ROLES) + ": this node serves no clients"));
    }

    /** Whether this node serves, and why not. */
    public NodeReadiness readiness() {
        return readiness;
    }

    /** Open client connections by listener name, read now; empty on a node without the broker role. */
    public Map<String, Integer> connectionCounts() {
        return broker.map(BrokerComponent::connectionCounts).orElse(Map.of());
    }

    /** The partitions this broker hosts, read now; empty on a node without the broker role. */
    public List<HostedPartition> hostedPartitions() {
        return broker.map(BrokerComponent::hostedPartitions).orElse(List.of());
    }

    /**
     * The committed offsets of the groups this node coordinates (the {@code __consumer_offsets}
     * partitions it leads and has loaded), read on the coordinator's threads; empty on a node without
     * the broker role or before its coordinator started.
     */
    public CompletableFuture<List<CommittedOffset>> committedOffsets() {
        return broker.map(BrokerComponent::committedOffsets).orElse(CompletableFuture.completedFuture(List.of()));
    }

    /**
     * The controller's counts if this node's controller is the active one (it leads the metadata
     * quorum), read from its metadata image now; {@link ControllerStatus#INACTIVE} otherwise.
     */
    public ControllerStatus controllerStatus() {
        return controller.filter(c -> c.quorum().isLeader())
                .map(c -> ControllerStatus.ofActive(c.quorum().image()))
                .orElse(ControllerStatus.INACTIVE);
    }

    /** This node's log manager, for tests that fail one of its directories. */
    LogManager logManager() {
        return shared.logManager();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        readiness.stopping();
        lifecycle.close();
    }
}
