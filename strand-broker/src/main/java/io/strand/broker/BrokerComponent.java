package io.strand.broker;

import io.strand.broker.api.ApiVersionsHandler;
import io.strand.broker.api.admin.AdminHandlers;
import io.strand.broker.api.fetch.FetchHandler;
import io.strand.broker.api.fetch.FetchSessionCache;
import io.strand.broker.api.group.GroupHandlers;
import io.strand.broker.api.metadata.MetadataHandler;
import io.strand.broker.api.offsets.DeleteRecordsHandler;
import io.strand.broker.api.offsets.ListOffsetsHandler;
import io.strand.broker.api.offsets.OffsetForLeaderEpochHandler;
import io.strand.broker.api.produce.InitProducerIdHandler;
import io.strand.broker.api.produce.ProduceHandler;
import io.strand.broker.controller.BrokerLifecycleManager;
import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.controller.ProducerIdBlocks;
import io.strand.broker.controller.QuorumControllerChannel;
import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.RequestHandlerPool;
import io.strand.broker.producer.ProducerIdManager;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.LogConfigResolver;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.topic.TopicAutoCreator;
import io.strand.common.config.BrokerConfig;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.quorum.MetadataQuorum;
import io.strand.storage.LogManager;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker role: the replica manager over the shared log manager, the group coordinator, the
 * request handlers, and the client listeners. It reads the metadata image of this node's quorum
 * member (a broker without one needs metadata replicated to it, which does not exist yet) and
 * reaches the active controller, wherever it runs, through controller channels
 * ({@link QuorumControllerChannel}): one forwarding admin requests and producer id allocations,
 * one for the {@link BrokerLifecycleManager}'s registration and heartbeats.
 *
 * <p>Start, in order: open the controller channels; build the replica manager and the group
 * coordinator and subscribe them to metadata images; build the handlers and the listeners (not yet
 * bound); wait until the metadata image is caught up with the quorum (the catch-up gate: no request
 * is served from an image behind what was committed before this node started); open every hosted
 * partition's log; bind every client listener; register this broker with its advertised endpoints
 * through the lifecycle manager; load the group coordinator's partitions of
 * {@code __consumer_offsets}. Close: a controlled shutdown (at once while the controller serves no
 * heartbeats), the lifecycle manager, the listeners (no new request gets in), then the request pool,
 * the group coordinator, the image subscription, and last the controller channels.
 */
final class BrokerComponent implements NodeComponent {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);
    private static final int FETCH_SESSION_SLOTS = 1000;
    private static final long FETCH_SESSION_EVICTION_MS = 120_000;
    private static final long CATCH_UP_TIMEOUT_MS = 30_000;
    private static final long REGISTRATION_TIMEOUT_MS = 30_000;
    /** How long a forwarded admin request or producer id allocation may take, leader changes included. */
    private static final long FORWARDING_TIMEOUT_MS = 30_000;
    /** How long a registration or heartbeat may take; both are repeated by the lifecycle manager. */
    private static final long LIFECYCLE_REQUEST_TIMEOUT_MS = 5_000;
    /** Kafka's {@code broker.heartbeat.interval.ms} default; a constant until the property exists here. */
    private static final long HEARTBEAT_INTERVAL_MS = 2_000;
    private static final long REGISTRATION_RETRY_BACKOFF_MS = 100;
    private static final long CONTROLLED_SHUTDOWN_TIMEOUT_MS = 30_000;
    /**
     * Seam: the controller serves BrokerRegistration (into today's registration record) but no
     * BrokerHeartbeat yet, so the lifecycle manager only registers and a controlled shutdown ends at
     * once. True once {@code QuorumController.brokerHeartbeat} answers heartbeats.
     */
    static final boolean CONTROLLER_SERVES_HEARTBEATS = false;

    private final BrokerConfig config;
    private final Time time;
    private final SharedComponent shared;
    private final ControllerComponent controllerRole;
    private MetadataListener imageSubscription;
    private GroupCoordinatorService groups;
    private RequestHandlerPool requestPool;
    private ClientListeners listeners;
    private QuorumControllerChannel forwarding;
    private QuorumControllerChannel lifecycleChannel;
    private BrokerLifecycleManager lifecycle;

    BrokerComponent(BrokerConfig config, Time time, SharedComponent shared, ControllerComponent controllerRole) {
        this.config = config;
        this.time = time;
        this.shared = shared;
        this.controllerRole = controllerRole;
    }

    @Override
    public String name() {
        return "broker";
    }

    @Override
    public void start() throws Exception {
        int nodeId = config.nodeId();
        LogManager logManager = shared.logManager();
        MetadataQuorum quorum = controllerRole.quorum();
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>(Voters.addresses(config));
        if (voters.containsKey(nodeId) && voters.get(nodeId).getPort() == 0) {
            // A lone voter may bind an ephemeral raft port (tests): reach it where it bound.
            voters.put(nodeId, quorum.raftAddress());
        }
        // One channel per kind of traffic: a slow admin request never holds up a heartbeat.
        forwarding = QuorumControllerChannel.open(nodeId + "-forwarding", voters, FORWARDING_TIMEOUT_MS,
                FORWARDING_TIMEOUT_MS);
        lifecycleChannel = QuorumControllerChannel.open(nodeId + "-lifecycle", voters, LIFECYCLE_REQUEST_TIMEOUT_MS,
                LIFECYCLE_REQUEST_TIMEOUT_MS);
        ControllerChannel controller = forwarding;
        ReplicaManager replicaManager = new ReplicaManager(nodeId, logManager, new LogConfigResolver(config));
        groups = new GroupCoordinatorService(nodeId, GroupCoordinatorConfig.from(config.originals()), replicaManager, time);
        GroupCoordinatorService groupService = groups;
        imageSubscription = (delta, image) -> {
            replicaManager.onMetadataUpdate(delta, image);
            groupService.onMetadataUpdate(delta, image);
        };
        shared.imageListeners().add(imageSubscription);

        Uuid incarnationId = Uuid.randomUuid();
        lifecycle = new BrokerLifecycleManager(nodeId, time, lifecycleChannel,
                new BrokerLifecycleManager.Settings(HEARTBEAT_INTERVAL_MS, REGISTRATION_RETRY_BACKOFF_MS,
                        CONTROLLER_SERVES_HEARTBEATS),
                () -> Registration.request(config, listeners.bound(), quorum.image().clusterId(), incarnationId),
                () -> quorum.image().appliedOffset());
        requestPool = new RequestHandlerPool(config.getInt(BrokerConfig.NUM_IO_THREADS));
        listeners = new ClientListeners(config, requestPool,
                registry(nodeId, quorum, controller, logManager, replicaManager));
        // Everything above runs while the quorum elects and commits; no request is served before
        // the image is caught up and the replica manager holds it.
        quorum.caughtUp().get(CATCH_UP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        replicaManager.start(quorum.image());
        Map<String, InetSocketAddress> bound = listeners.start();
        lifecycle.start();
        // Caught up and the hosted logs open: the controller may unfence this broker.
        lifecycle.setReadyToUnfence();
        lifecycle.registered().get(REGISTRATION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        groups.start(request -> createTopics(controller, request), quorum.image());
        LOG.info("Node {} serving Kafka clients on {}", nodeId, bound);
    }

    private static CompletableFuture<CreateTopicsResponseData> createTopics(ControllerChannel controller,
                                                                          CreateTopicsRequestData request) {
        return controller.send(ApiKeys.CREATE_TOPICS, request).thenApply(CreateTopicsResponseData.class::cast);
    }

    private ApiRegistry registry(int nodeId, MetadataQuorum quorum, ControllerChannel controller,
                                 LogManager logManager, ReplicaManager replicaManager) {
        Supplier<MetadataImage> image = quorum::image;
        IntSupplier activeController = () -> quorum.leaderId().orElse(-1);
        FetchPurgatory purgatory = new FetchPurgatory();
        replicaManager.setAppendListener(purgatory::onAppend);
        ApiRegistry registry = new ApiRegistry();
        registry.register(new ApiVersionsHandler(registry))
                .register(new MetadataHandler(image, new TopicAutoCreator(request -> createTopics(controller, request)),
                        config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE), activeController))
                .register(new ProduceHandler(replicaManager, image))
                .register(new FetchHandler(replicaManager, image,
                        new FetchSessionCache(FETCH_SESSION_SLOTS, FETCH_SESSION_EVICTION_MS, time, new Random()), purgatory))
                .register(new ListOffsetsHandler(replicaManager))
                .register(new DeleteRecordsHandler(replicaManager))
                .register(new OffsetForLeaderEpochHandler(replicaManager))
                .register(new InitProducerIdHandler(new ProducerIdManager(
                        ProducerIdBlocks.allocator(controller, nodeId, lifecycle::brokerEpoch))));
        AdminHandlers.all(config, image, controller, activeController, logManager).forEach(registry::register);
        GroupHandlers.all(groups).forEach(registry::register);
        return registry;
    }

    /** Client listener name → bound address (real ports where 0 was configured). */
    Map<String, InetSocketAddress> boundListeners() {
        return listeners.bound();
    }

    @Override
    public void close() {
        try {
            if (lifecycle != null && (lifecycle.state() == BrokerLifecycleManager.State.RECOVERY
                    || lifecycle.state() == BrokerLifecycleManager.State.RUNNING)) {
                // Leadership moves away while this broker still serves; immediate while the
                // controller serves no heartbeats.
                lifecycle.beginControlledShutdown(CONTROLLED_SHUTDOWN_TIMEOUT_MS)
                        .get(CONTROLLED_SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            LOG.warn("Controlled shutdown did not finish: nodeId={} error={}", config.nodeId(), e.toString());
        } finally {
            closeServing();
        }
    }

    private void closeServing() {
        try {
            if (lifecycle != null) {
                lifecycle.close();
            }
            if (listeners != null) {
                listeners.close();
            }
        } finally {
            try {
                if (requestPool != null) {
                    requestPool.close();
                }
                if (groups != null) {
                    groups.close();
                }
            } finally {
                if (imageSubscription != null) {
                    shared.imageListeners().remove(imageSubscription);
                }
                closeChannels();
            }
        }
    }

    private void closeChannels() {
        if (forwarding != null) {
            forwarding.close();
        }
        if (lifecycleChannel != null) {
            lifecycleChannel.close();
        }
    }
}
