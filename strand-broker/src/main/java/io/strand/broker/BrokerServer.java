package io.strand.broker;

import io.strand.broker.admin.AdminHandlers;
import io.strand.broker.fetch.FetchHandler;
import io.strand.broker.fetch.FetchPurgatory;
import io.strand.broker.fetch.FetchSessionCache;
import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.group.GroupHandlers;
import io.strand.broker.handlers.ApiVersionsHandler;
import io.strand.broker.handlers.DeleteRecordsHandler;
import io.strand.broker.handlers.InitProducerIdHandler;
import io.strand.broker.handlers.ListOffsetsHandler;
import io.strand.broker.handlers.MetadataHandler;
import io.strand.broker.handlers.OffsetForLeaderEpochHandler;
import io.strand.broker.handlers.ProduceHandler;
import io.strand.broker.handlers.ProducerIdManager;
import io.strand.broker.handlers.TopicAutoCreator;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.RequestHandlerPool;
import io.strand.broker.network.SocketServer;
import io.strand.broker.replica.LogConfigResolver;
import io.strand.broker.replica.ReplicaManager;
import io.strand.common.config.BrokerConfig;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.metadata.MetadataImage;
import io.strand.metadata.MetadataQuorum;
import io.strand.metadata.QuorumController;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Strand node: broker and controller in one process. Start-up order: open the log manager,
 * start the metadata quorum and replay it, then open (recovering) every hosted partition's log,
 * bind the client listener, register this broker with the controller, and load the group
 * coordinator's partitions of {@code __consumer_offsets}. Shutdown runs the other way
 * and ends with the logs' clean-shutdown marker.
 *
 * <p>Thread-safe: {@link #start} once, {@link #close} from any thread, idempotent.
 */
public final class BrokerServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);
    private static final int FETCH_SESSION_SLOTS = 1000;
    private static final long FETCH_SESSION_EVICTION_MS = 120_000;
    /** Under the metadata log dir; not a partition directory name, so the log manager leaves it be. */
    private static final String METADATA_DIR_NAME = "__cluster_metadata";

    private final BrokerConfig config;
    private final LogManager logManager;
    private final MetadataQuorum quorum;
    private final QuorumController controller;
    private final GroupCoordinatorService groups;
    private final SocketServer socketServer;
    private final RequestHandlerPool requestPool;
    private final InetSocketAddress clientAddress;
    private boolean closed;

    private BrokerServer(BrokerConfig config, LogManager logManager, MetadataQuorum quorum, QuorumController controller,
                         GroupCoordinatorService groups, SocketServer socketServer, RequestHandlerPool requestPool,
                         InetSocketAddress clientAddress) {
        this.config = config;
        this.logManager = logManager;
        this.quorum = quorum;
        this.controller = controller;
        this.groups = groups;
        this.socketServer = socketServer;
        this.requestPool = requestPool;
        this.clientAddress = clientAddress;
    }

    /** Validates a node's properties: the common broker ones and those of the modules it runs. */
    public static BrokerConfig config(Map<String, String> props) {
        return BrokerConfig.of(props, List.of(GroupCoordinatorConfig.DEF));
    }

    public static BrokerServer start(BrokerConfig config, Time time) throws Exception {
        int nodeId = config.nodeId();
        LogManager logManager = new LogManager(new LogManagerConfig(config.logDirs(),
                config.getLong(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS),
                config.getLong(BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS),
                config.getInt(BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS),
                config.getInt(BrokerConfig.PRODUCER_ID_EXPIRATION_MS))
                .withCleaner(config.getBoolean(BrokerConfig.LOG_CLEANER_ENABLE),
                        config.getLong(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                        config.getDouble(BrokerConfig.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND),
                        config.getLong(BrokerConfig.LOG_CLEANER_BACKOFF_MS)), time);
        logManager.startup();
        ReplicaManager replicaManager = new ReplicaManager(nodeId, logManager, new LogConfigResolver(config));
        GroupCoordinatorService groups = new GroupCoordinatorService(nodeId,
                GroupCoordinatorConfig.from(config.originals()), replicaManager, time);
        MetadataQuorum quorum = MetadataQuorum.start(nodeId, Voters.addresses(config),
                config.metadataLogDir().resolve(METADATA_DIR_NAME),
                time, (delta, image) -> {
                    replicaManager.onMetadataImage(image);
                    groups.onMetadataImage(image);
                });
        Supplier<MetadataImage> image = quorum::image;
        QuorumController controller = new QuorumController(quorum, time, new Random());

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

        BrokerConfig.Listener listener = config.brokerListener();
        RequestHandlerPool requestPool = new RequestHandlerPool(config.getInt(BrokerConfig.NUM_IO_THREADS));
        SocketServer socketServer = new SocketServer(listener.name(), config.securityProtocol(listener.name()),
                listener.host().isEmpty() ? new InetSocketAddress(listener.port()) : new InetSocketAddress(listener.host(), listener.port()),
                config.getInt(BrokerConfig.SOCKET_REQUEST_MAX_BYTES), registry,
                config.getInt(BrokerConfig.NUM_NETWORK_THREADS), requestPool);
        // Everything above runs while the quorum elects and commits; no request is served before
        // the image is caught up and the replica manager holds it.
        quorum.caughtUp().get(30, TimeUnit.SECONDS);
        replicaManager.start(quorum.image());
        InetSocketAddress bound = socketServer.start();
        controller.registerBroker(Registration.of(config, bound)).get(30, TimeUnit.SECONDS);
        groups.start(request -> controller.createTopics(request, AdminHandlers.controllerDefaults(config)), quorum.image());
        LOG.info("Node {} serving Kafka clients on {}", nodeId, bound);
        return new BrokerServer(config, logManager, quorum, controller, groups, socketServer, requestPool, bound);
    }

    /** Where clients connect (the real port if the listener asked for port 0). */
    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    public BrokerConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(socketServer, "network");
        closeQuietly(requestPool, "request handlers");
        closeQuietly(groups, "group coordinator");
        closeQuietly(controller, "controller");
        closeQuietly(quorum, "metadata quorum");
        closeQuietly(logManager, "logs");
    }

    private static void closeQuietly(AutoCloseable closeable, String what) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Error closing {}", what, e);
        }
    }
}
