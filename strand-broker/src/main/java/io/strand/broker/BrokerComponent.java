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
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.quorum.MetadataQuorum;
import io.strand.storage.LogManager;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker role: the replica manager over the shared log manager, the group coordinator, the
 * request handlers, and the client listeners. It uses the controller of this node (a broker
 * without a local controller needs a remote quorum, which does not exist yet).
 *
 * <p>Start, in order: build the replica manager and the group coordinator and subscribe them to
 * metadata images; build the handlers and the listeners (not yet bound); wait until the metadata
 * image is caught up with the quorum (the catch-up gate: no request is served from an image behind
 * what was committed before this node started); open every hosted partition's log; bind every
 * client listener; register this broker with its advertised endpoints; load the group
 * coordinator's partitions of {@code __consumer_offsets}. Close: listeners first (no new request
 * gets in), then the request pool, then the group coordinator, then the image subscription.
 */
final class BrokerComponent implements NodeComponent {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);
    private static final int FETCH_SESSION_SLOTS = 1000;
    private static final long FETCH_SESSION_EVICTION_MS = 120_000;
    private static final long CATCH_UP_TIMEOUT_MS = 30_000;
    private static final long REGISTRATION_TIMEOUT_MS = 30_000;

    private final BrokerConfig config;
    private final Time time;
    private final SharedComponent shared;
    private final ControllerComponent controllerRole;
    private MetadataListener imageSubscription;
    private GroupCoordinatorService groups;
    private RequestHandlerPool requestPool;
    private ClientListeners listeners;

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
        QuorumController controller = controllerRole.controller();
        ReplicaManager replicaManager = new ReplicaManager(nodeId, logManager, new LogConfigResolver(config));
        groups = new GroupCoordinatorService(nodeId, GroupCoordinatorConfig.from(config.originals()), replicaManager, time);
        GroupCoordinatorService groupService = groups;
        imageSubscription = (delta, image) -> {
            replicaManager.onMetadataUpdate(delta, image);
            groupService.onMetadataUpdate(delta, image);
        };
        shared.imageListeners().add(imageSubscription);

        requestPool = new RequestHandlerPool(config.getInt(BrokerConfig.NUM_IO_THREADS));
        listeners = new ClientListeners(config, requestPool, registry(nodeId, quorum::image, controller, logManager, replicaManager));
        // Everything above runs while the quorum elects and commits; no request is served before
        // the image is caught up and the replica manager holds it.
        quorum.caughtUp().get(CATCH_UP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        replicaManager.start(quorum.image());
        Map<String, InetSocketAddress> bound = listeners.start();
        controller.registerBroker(Registration.of(config, bound)).get(REGISTRATION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        groups.start(request -> controller.createTopics(request, AdminHandlers.controllerDefaults(config)), quorum.image());
        LOG.info("Node {} serving Kafka clients on {}", nodeId, bound);
    }

    private ApiRegistry registry(int nodeId, Supplier<MetadataImage> image, QuorumController controller,
                                 LogManager logManager, ReplicaManager replicaManager) {
        FetchPurgatory purgatory = new FetchPurgatory();
        replicaManager.setAppendListener(purgatory::onAppend);
        ApiRegistry registry = new ApiRegistry();
        registry.register(new ApiVersionsHandler(registry))
                .register(new MetadataHandler(image, new TopicAutoCreator(
                        request -> controller.createTopics(request, AdminHandlers.controllerDefaults(config))),
                        config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE)))
                .register(new ProduceHandler(replicaManager, image))
                .register(new FetchHandler(replicaManager, image,
                        new FetchSessionCache(FETCH_SESSION_SLOTS, FETCH_SESSION_EVICTION_MS, time, new Random()), purgatory))
                .register(new ListOffsetsHandler(replicaManager))
                .register(new DeleteRecordsHandler(replicaManager))
                .register(new OffsetForLeaderEpochHandler(replicaManager))
                .register(new InitProducerIdHandler(new ProducerIdManager(
                        blockSize -> controller.allocateProducerIds(nodeId, blockSize))));
        AdminHandlers.all(config, image, controller, logManager).forEach(registry::register);
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
            }
        }
    }
}
