package io.strand.broker;

import io.strand.broker.api.ApiVersionsHandler;
import io.strand.broker.api.acl.AclHandlers;
import io.strand.broker.auth.AclAuthorizer;
import io.strand.broker.auth.Authorization;
import io.strand.broker.auth.AuthorizerConfig;
import io.strand.broker.network.ScramCredentialStore;
import io.strand.broker.auth.AuthorizingHandlers;
import io.strand.broker.api.admin.AdminHandlers;
import io.strand.broker.api.quota.ControllerMutationThrottling;
import io.strand.broker.api.quota.QuotaHandlers;
import io.strand.broker.quota.ClientQuotas;
import io.strand.broker.quota.IpConnectionRateQuotas;
import io.strand.broker.quota.ClientRequestQuota;
import io.strand.broker.quota.QuotaWindows;
import io.strand.broker.api.admin.AlterPartitionReassignmentsHandler;
import io.strand.broker.api.admin.ElectLeadersHandler;
import io.strand.broker.api.admin.ListPartitionReassignmentsHandler;
import io.strand.broker.api.fetch.FetchHandler;
import io.strand.broker.api.fetch.FetchSessionCache;
import io.strand.broker.api.share.ShareAcknowledgeHandler;
import io.strand.broker.api.share.ShareFetchHandler;
import io.strand.broker.api.share.ShareAdminHandlers;
import io.strand.broker.api.share.ShareStateHandlers;
import io.strand.broker.share.CoordinatorSharePersister;
import io.strand.broker.share.ShareCoordinatorService;
import io.strand.broker.share.PartitionEndOffsets;
import io.strand.broker.share.ShareGroupAdmin;
import io.strand.broker.share.ShareGroupConfig;
import io.strand.broker.share.SharePartitionManager;
import io.strand.broker.share.ShareSessionCache;
import io.strand.broker.api.group.GroupHandlers;
import io.strand.broker.api.metadata.DescribeQuorumHandler;
import io.strand.broker.api.metadata.MetadataHandler;
import io.strand.broker.api.offsets.DeleteRecordsHandler;
import io.strand.broker.api.offsets.ListOffsetsHandler;
import io.strand.broker.api.offsets.OffsetForLeaderEpochHandler;
import io.strand.broker.api.produce.InitProducerIdHandler;
import io.strand.broker.api.produce.ProduceHandler;
import io.strand.broker.api.produce.WriteTxnMarkersHandler;
import io.strand.broker.api.txn.DescribeProducersHandler;
import io.strand.broker.api.txn.TransactionHandlers;
import io.strand.broker.controller.BrokerLifecycleManager;
import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.controller.DirectoryAssignments;
import io.strand.broker.controller.ProducerIdBlocks;
import io.strand.broker.controller.QuorumControllerChannel;
import io.strand.broker.fetcher.FetcherConfig;
import io.strand.broker.metrics.BrokerMetrics;
import io.strand.broker.fetcher.ReplicaFetcherManager;
import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.api.security.SecurityHandlers;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.RequestHandlerPool;
import io.strand.broker.producer.ProducerIdManager;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.AlterPartitionBatcher;
import io.strand.broker.replica.LogConfigResolver;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.replica.Replication;
import io.strand.broker.topic.TopicAutoCreator;
import io.strand.broker.txn.BrokerConnections;
import io.strand.broker.txn.CoordinatorTransactionVerifier;
import io.strand.broker.txn.ProducerIdManagerSource;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.broker.txn.TransactionVerifier;
import io.strand.broker.txn.WriteTxnMarkersChannel;
import io.strand.common.config.BrokerConfig;
import io.strand.coordinator.group.CommittedOffset;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.share.ShareCoordinatorConfig;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.quorum.NodeMetadata;
import io.strand.metadata.quorum.QuorumTransport;
import io.strand.storage.LogManager;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker role: the replica manager over the shared log manager, the group coordinator, the
 * request handlers, and the client listeners. It reads the metadata image of this node's quorum
 * member, or on a broker-only node of its observer of the metadata log ({@link MetadataRole}), and
 * reaches the active controller, wherever it runs, through controller channels
 * ({@link QuorumControllerChannel}): one forwarding admin requests and producer id allocations,
 * one for the {@link BrokerLifecycleManager}'s registration and heartbeats. With several log
 * directories, the replicas' directories go to the controller through {@link DirectoryAssignments},
 * and a failed directory's partitions are taken offline (the node serves on with the others: see
 * {@link LogDirFailureHandler}).
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
    /**
     * How long one voter may stay silent before a forwarded request or an ISR change tries the next:
     * Ratis' client does not notice a connection to a voter that died, so a request sent on it waits
     * this long. Long enough for any controller operation that commits; a slower answer is asked of
     * the next voter, which sends it on to the leader (CreateTopics would then find its topic there).
     */
    private static final long CONTROLLER_ATTEMPT_TIMEOUT_MS = 8_000;
    /** How long a registration or heartbeat may take; both are repeated by the lifecycle manager. */
    private static final long LIFECYCLE_REQUEST_TIMEOUT_MS = 5_000;
    private static final long REGISTRATION_RETRY_BACKOFF_MS = 100;
    /** How long an ISR change may wait for the controller before the leader proposes it again. */
    private static final long ALTER_PARTITION_TIMEOUT_MS = 30_000;
    /** Kafka's {@code replica.socket.timeout.ms} default: a follower's connect plus one fetch and its answer. */
    private static final int REPLICA_SOCKET_TIMEOUT_MS = 30_000;
    /** Kafka's {@code request.timeout.ms} for the transaction coordinator's markers and verifications. */
    private static final int TXN_REQUEST_TIMEOUT_MS = 30_000;
    /** How long a marker waits before it is sent again after a retriable failure. */
    private static final long TXN_MARKER_RETRY_BACKOFF_MS = 100;

    private final BrokerConfig config;
    private final Time time;
    private final SharedComponent shared;
    private final MetadataRole metadataRole;
    private final BrokerMetrics metrics;
    private final NodeReadiness readiness;
    /** Set once in {@link #start}; read by scrapes from other threads. */
    private volatile ReplicaManager replicaManager;
    private MetadataListener imageSubscription;
    /** Set once in {@link #start}; read by scrapes from other threads. */
    private volatile GroupCoordinatorService groups;
    private RequestHandlerPool requestPool;
    /** Set once in {@link #start}; read by scrapes from other threads. */
    private volatile ClientListeners listeners;
    /** The authorizer every handler asks; set while starting, before the listeners serve. */
    private volatile Authorization authorization = Authorization.NONE;
    /** SCRAM credentials from the published image; set while starting. */
    private volatile ScramCredentialStore scramCredentials = ScramCredentialStore.NONE;
    private QuorumControllerChannel forwarding;
    private QuorumControllerChannel lifecycleChannel;
    private QuorumControllerChannel alterPartitionChannel;
    private BrokerLifecycleManager lifecycle;
    private ReplicaFetcherManager fetchers;
    private ScheduledExecutorService isrExpiration;
    private DirectoryAssignments directoryAssignments;
    private ProducerIdManager producerIds;
    private TransactionCoordinatorService transactions;
    private WriteTxnMarkersChannel markerChannel;
    private BrokerConnections verifierConnections;
    private ShareCoordinatorService shares;
    private BrokerConnections shareStateConnections;
    private CoordinatorSharePersister sharePersister;
    /** Checks transactional batches against the transaction coordinator (KIP-890 part 1). */
    private CoordinatorTransactionVerifier transactionVerifier;
    /**
     * The verifier the produce path uses: {@link #transactionVerifier}, or when verification is off one
     * that only makes the adds of transactions v2 producers.
     */
    private TransactionVerifier produceVerifier = TransactionVerifier.NONE;
    /** Serves WriteTxnMarkers, and writes this broker's own coordinator's markers for partitions led here. */
    private WriteTxnMarkersHandler writeTxnMarkersHandler;

    BrokerComponent(BrokerConfig config, Time time, SharedComponent shared, MetadataRole metadataRole,
                    BrokerServer.Instrumentation instrumentation) {
        this.config = config;
        this.time = time;
        this.shared = shared;
        this.metadataRole = metadataRole;
        this.metrics = instrumentation.metrics();
        this.readiness = instrumentation.readiness();
    }

    @Override
    public String name() {
        return "broker";
    }

    @Override
    public void start() throws Exception {
        int nodeId = config.nodeId();
        LogManager logManager = shared.logManager();
        NodeMetadata quorum = metadataRole.metadata();
        Map<Integer, InetSocketAddress> voters = metadataRole.voters();
        // One channel per kind of traffic: a slow admin request never holds up a heartbeat.
        QuorumControllerChannel.LocalController local = metadataRole.localController();
        // Requests go first to the leader this node's metadata names (its Raft server's, or the one
        // an observer last fetched from): after a failover they find the new controller at once.
        IntSupplier knownController = () -> quorum.leaderId().orElse(-1);
        QuorumTransport transport = metadataRole.quorumTransport();
        forwarding = QuorumControllerChannel.open(nodeId + "-forwarding", voters, FORWARDING_TIMEOUT_MS,
                CONTROLLER_ATTEMPT_TIMEOUT_MS, local, knownController, transport);
        lifecycleChannel = QuorumControllerChannel.open(nodeId + "-lifecycle", voters, LIFECYCLE_REQUEST_TIMEOUT_MS,
                LIFECYCLE_REQUEST_TIMEOUT_MS, local, knownController, transport);
        alterPartitionChannel = QuorumControllerChannel.open(nodeId + "-alter-partition", voters,
                ALTER_PARTITION_TIMEOUT_MS, CONTROLLER_ATTEMPT_TIMEOUT_MS, local, knownController, transport);
        ControllerChannel controller = forwarding;
        Uuid incarnationId = Uuid.randomUuid();
        lifecycle = new BrokerLifecycleManager(nodeId, time, lifecycleChannel,
                new BrokerLifecycleManager.Settings(config.brokerHeartbeatIntervalMs(), REGISTRATION_RETRY_BACKOFF_MS,
                        true, config.logDirFailureTimeoutMs()),
                () -> Registration.request(config, listeners.bound(), quorum.image().clusterId(), incarnationId,
                        logManager.onlineDirectoryIds()),
                // Caught up means the replica manager and the coordinator have the change, not only Ratis.
                () -> quorum.publishedImage().appliedOffset(), logManager::offlineDirectoryIds);
        BrokerLifecycleManager brokerLifecycle = lifecycle;
        fetchers = new ReplicaFetcherManager(fetcherConfig(config), brokerLifecycle::brokerEpoch,
                brokerId -> interBrokerAddress(quorum.image(), brokerId), ListenerSecurities.interBrokerTls(config),
                time);
        QuorumControllerChannel isrChannel = alterPartitionChannel;
        Replication replication = new Replication(time, config.replicaLagTimeMaxMs(),
                new AlterPartitionBatcher(request -> isrChannel.send(ApiKeys.ALTER_PARTITION, request)
                        .thenApply(AlterPartitionResponseData.class::cast)),
                brokerLifecycle::brokerEpoch, new ReplicaFollowing(fetchers),
                (brokerId, brokerEpoch) -> mayJoinIsr(quorum.image(), brokerId, brokerEpoch), metrics.isrChanges());
        ReplicaManager replicaManager = new ReplicaManager(nodeId, logManager, new LogConfigResolver(config),
                replication);
        this.replicaManager = replicaManager;
        if (logManager.directoryIds().size() > 1) {
            // With one log directory the controller needs no assignment: that directory failing halts the node.
            directoryAssignments = new DirectoryAssignments(nodeId, time, alterPartitionChannel,
                    brokerLifecycle::brokerEpoch, REGISTRATION_RETRY_BACKOFF_MS, ALTER_PARTITION_TIMEOUT_MS);
            replicaManager.setDirectoryAssigner(directoryAssignments);
            directoryAssignments.start();
        }
        LogDirFailureHandler failureHandler = shared.logDirFailureHandler();
        failureHandler.setListener((dir, directoryId, offline) -> {
            replicaManager.markOffline(offline);
            // Unreported, the directory's partitions would keep their leaders here: give up in time, as Kafka does.
            directoryId.ifPresentOrElse(id -> brokerLifecycle.propagateDirectoryFailure(id, () ->
                    failureHandler.haltNode("the controller did not acknowledge offline log directory dir=" + dir
                            + " within log.dir.failure.timeout.ms=" + config.logDirFailureTimeoutMs())),
                    brokerLifecycle::propagateDirectoryFailure);
        });
        groups = new GroupCoordinatorService(nodeId, GroupCoordinatorConfig.from(config.originals()), replicaManager, time);
        GroupCoordinatorService groupService = groups;
        // __consumer_offsets markers go through the group coordinator, which applies them to pending offsets
        writeTxnMarkersHandler = new WriteTxnMarkersHandler(replicaManager, groups.markerWriter());
        startTransactionCoordinator(nodeId, quorum, controller, replicaManager);
        TransactionCoordinatorService transactionService = transactions;
        startShareCoordinator(nodeId, quorum, replicaManager);
        ShareCoordinatorService shareService = shares;
        imageSubscription = (delta, image) -> {
            replicaManager.onMetadataUpdate(delta, image);
            groupService.onMetadataUpdate(delta, image);
            transactionService.onMetadataUpdate(delta, image);
            shareService.onMetadataUpdate(delta, image);
        };
        shared.imageListeners().add(imageSubscription);

        requestPool = new RequestHandlerPool(config.getInt(BrokerConfig.NUM_IO_THREADS));
        scramCredentials = new ImageScramCredentials(quorum::publishedImage);
        listeners = new ClientListeners(config, requestPool,
                registry(nodeId, quorum, controller, logManager, replicaManager),
                scramCredentials,
                new IpConnectionRateQuotas(() -> quorum.publishedImage().clientQuotas()));
        // Everything above runs while the quorum elects and commits; no request is served before
        // the image is caught up and the replica manager holds it.
        readiness.enter(NodeReadiness.Phase.CATCHING_UP);
        quorum.caughtUp().get(CATCH_UP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        replicaManager.start(quorum.image());
        isrExpiration = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "strand-isr-expiration-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        replicaManager.scheduleIsrExpiration(isrExpiration);
        Map<String, InetSocketAddress> bound = listeners.start();
        readiness.enter(NodeReadiness.Phase.REGISTERING);
        lifecycle.start();
        // Caught up and the hosted logs open: the controller may unfence this broker.
        lifecycle.setReadyToUnfence();
        lifecycle.registered().get(REGISTRATION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        // As Kafka's broker: serving starts once the controller has unfenced this broker, so that
        // its partitions have leaders again.
        lifecycle.unfenced().get(REGISTRATION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        // The coordinators load the partitions led in the image the replica manager has applied, not in the
        // quorum's newest: the image subscription may still be applying that one, whose new leaderships the
        // replica manager does not serve yet. The subscription hands them the newer images once applied.
        MetadataImage applied = replicaManager.appliedImage();
        groups.start(request -> createTopics(controller, request), applied);
        transactions.start(request -> createTopics(controller, request), applied);
        shares.start(request -> createTopics(controller, request), applied);
        readiness.enterServing(() -> servingProblem(quorum));
        LOG.info("Node {} serving Kafka clients on {}", nodeId, bound);
    }

    /**
     * Empty while this broker is registered, unfenced and not shutting down, as its lifecycle manager
     * and the published metadata image both say; else what is wrong.
     */
    private Optional<String> servingProblem(NodeMetadata quorum) {
        BrokerLifecycleManager.State state = lifecycle.state();
        if (state != BrokerLifecycleManager.State.RUNNING) {
            return Optional.of("the broker's lifecycle state is " + state);
        }
        BrokerRegistration registration = quorum.publishedImage().brokers().get(config.nodeId());
        if (registration == null) {
            return Optional.of("the metadata image has no registration of broker " + config.nodeId());
        }
        if (registration.fenced()) {
            return Optional.of("the controller has fenced broker " + config.nodeId());
        }
        if (registration.inControlledShutdown()) {
            return Optional.of("broker " + config.nodeId() + " is in controlled shutdown");
        }
        return Optional.empty();
    }

    /** Open connections by client listener name, now; empty before the listeners exist. */
    Map<String, Integer> connectionCounts() {
        ClientListeners current = listeners;
        return current == null ? Map.of() : current.connectionCounts();
    }

    /** The hosted partitions' log positions and sizes, read now. */
    List<BrokerServer.HostedPartition> hostedPartitions() {
        ReplicaManager current = replicaManager;
        if (current == null) {
            return List.of();
        }
        List<BrokerServer.HostedPartition> result = new ArrayList<>();
        for (Partition p : current.partitions().values()) {
            result.add(new BrokerServer.HostedPartition(p.topicPartition().topic(), p.topicPartition().partition(),
                    p.isLeader(), p.log().logStartOffset(), p.log().logEndOffset(), p.log().highWatermark(),
                    p.log().sizeInBytes(), p.replicas().size(), p.isr().size(), p.minInsyncReplicas()));
        }
        return result;
    }

    /**
     * Starts creating {@code __consumer_offsets} if it is missing and the group coordinator may create it
     * (Metadata naming it with auto-creation allowed, as Kafka creates it then); other names are ignored.
     */
    private void maybeCreateInternalTopic(String name) {
        GroupCoordinatorService current = groups;
        if (current != null && GroupCoordinatorService.OFFSETS_TOPIC.equals(name)) {
            current.maybeCreateOffsetsTopic();
        }
    }

    /** The committed offsets of the groups coordinated here; none before the coordinator exists. */
    CompletableFuture<List<CommittedOffset>> committedOffsets() {
        GroupCoordinatorService current = groups;
        return current == null ? CompletableFuture.completedFuture(List.of()) : current.coordinator().committedOffsets();
    }

    /**
     * The transaction coordinator (not serving until {@link TransactionCoordinatorService#start}), its
     * marker channel and the connections of transaction verification; producer ids come from the blocks
     * idempotent producers draw from too.
     */
    private void startTransactionCoordinator(int nodeId, NodeMetadata quorum, ControllerChannel controller,
                                             ReplicaManager replicaManager) {
        producerIds = new ProducerIdManager(ProducerIdBlocks.allocator(controller, nodeId, lifecycle::brokerEpoch));
        String clientId = "strand-broker-" + nodeId + "-txn";
        markerChannel = new WriteTxnMarkersChannel(nodeId, quorum::publishedImage,
                new BrokerConnections("strand-txn-marker-network-" + nodeId,
                        brokerId -> interBrokerAddress(quorum.image(), brokerId), clientId,
                        TXN_MARKER_RETRY_BACKOFF_MS, TXN_REQUEST_TIMEOUT_MS, ListenerSecurities.interBrokerTls(config), InterBrokerSasl.of(config)),
                writeTxnMarkersHandler.localWriter(), TXN_MARKER_RETRY_BACKOFF_MS);
        transactions = new TransactionCoordinatorService(nodeId, TransactionCoordinatorConfig.from(config.originals()),
                replicaManager, new ProducerIdManagerSource(producerIds), markerChannel,
                groups.coordinator()::partitionFor, time);
        verifierConnections = new BrokerConnections("strand-txn-verify-network-" + nodeId,
                brokerId -> interBrokerAddress(quorum.image(), brokerId), clientId,
                TXN_MARKER_RETRY_BACKOFF_MS, TXN_REQUEST_TIMEOUT_MS, ListenerSecurities.interBrokerTls(config), InterBrokerSasl.of(config));
        transactionVerifier = new CoordinatorTransactionVerifier(nodeId, transactions, verifierConnections);
        produceVerifier = config.transactionPartitionVerificationEnable() ? transactionVerifier
                : TransactionVerifier.addingOnly(transactionVerifier);
    }

    /**
     * The share coordinator (not serving until {@link ShareCoordinatorService#start}) and the persister the
     * share-partitions led here write their state through: to the coordinator directly, or over the
     * inter-broker connections to the broker leading the state's partition.
     */
    private void startShareCoordinator(int nodeId, NodeMetadata quorum, ReplicaManager replicaManager) {
        shares = new ShareCoordinatorService(nodeId, ShareCoordinatorConfig.from(config.originals()), replicaManager,
                time);
        shareStateConnections = new BrokerConnections("strand-share-state-network-" + nodeId,
                brokerId -> interBrokerAddress(quorum.image(), brokerId), "strand-broker-" + nodeId + "-share",
                TXN_MARKER_RETRY_BACKOFF_MS, TXN_REQUEST_TIMEOUT_MS, ListenerSecurities.interBrokerTls(config),
                InterBrokerSasl.of(config));
        sharePersister = new CoordinatorSharePersister(shares, shareStateConnections, time);
    }

    private static CompletableFuture<CreateTopicsResponseData> createTopics(ControllerChannel controller,
                                                                          CreateTopicsRequestData request) {
        return controller.send(ApiKeys.CREATE_TOPICS, request).thenApply(CreateTopicsResponseData.class::cast);
    }

    private ApiRegistry registry(int nodeId, NodeMetadata quorum, ControllerChannel controller,
                                 LogManager logManager, ReplicaManager replicaManager) {
        // Handlers answer from the image the replica manager has applied: a leader named in Metadata
        // has its partition here, never one Ratis applied a moment before the publisher handed it on.
        Supplier<MetadataImage> image = quorum::publishedImage;
        IntSupplier activeController = () -> quorum.leaderId().orElse(-1);
        FetchPurgatory purgatory = new FetchPurgatory();
        replicaManager.setAppendListener(purgatory::onAppend);
        ClientQuotas quotas = new ClientQuotas(QuotaWindows.from(config), () -> image.get().clientQuotas(), time);
        ApiRegistry registry = new ApiRegistry().requestTimeQuota(new ClientRequestQuota(quotas.request()))
                .metrics(metrics);
        registry.register(new ApiVersionsHandler(registry, image))
                .register(new MetadataHandler(image, new TopicAutoCreator(request -> createTopics(controller, request)),
                        config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE), activeController,
                        this::maybeCreateInternalTopic))
                .register(new ProduceHandler(replicaManager, image, produceVerifier, requestPool, quotas.produce(),
                        metrics))
                .register(writeTxnMarkersHandler)
                .register(new FetchHandler(replicaManager, image,
                        new FetchSessionCache(FETCH_SESSION_SLOTS, FETCH_SESSION_EVICTION_MS, time, new Random()), purgatory,
                        quotas.fetch(), metrics))
                .register(new ListOffsetsHandler(replicaManager));
        // Share groups (KIP-932): share-partition state persisted through the share coordinator.
        ShareGroupConfig shareConfig = ShareGroupConfig.from(config.originals());
        SharePartitionManager sharePartitions = new SharePartitionManager(shareConfig, time, purgatory::onAppend,
                sharePersister, groupId -> image.get().configs(new ConfigResource(ConfigResource.Type.GROUP, groupId)));
        ShareSessionCache shareSessions = new ShareSessionCache(shareConfig.maxShareSessions(), time);
        registry.register(new ShareFetchHandler(replicaManager, image, sharePartitions, shareSessions, purgatory))
                .register(new ShareAcknowledgeHandler(replicaManager, image, sharePartitions, shareSessions))
                .register(new DeleteRecordsHandler(replicaManager))
                .register(new OffsetForLeaderEpochHandler(replicaManager))
                .register(new DescribeProducersHandler(replicaManager, image))
                .register(new ElectLeadersHandler(controller))
                .register(new AlterPartitionReassignmentsHandler(controller))
                .register(new ListPartitionReassignmentsHandler(controller))
                .register(new DescribeQuorumHandler(controller))
                .register(new InitProducerIdHandler(producerIds, transactions.coordinator()));
        AdminHandlers.all(config, image, controller, activeController, logManager).forEach(handler -> registry.register(
                ControllerMutationThrottling.wrap(handler, quotas.controllerMutation(), image,
                        () -> config.getInt(BrokerConfig.NUM_PARTITIONS))));
        QuotaHandlers.all(image, controller).forEach(registry::register);
        AuthorizerConfig authorizerConfig = AuthorizerConfig.from(config.originals());
        Authorization authorization = authorizerConfig.enabled()
                ? new Authorization(new AclAuthorizer(() -> image.get().acls(), authorizerConfig.superUsers(),
                        authorizerConfig.allowEveryoneIfNoAclFound()))
                : Authorization.NONE;
        this.authorization = authorization;
        ShareGroupAdmin shareAdmin = new ShareGroupAdmin(groups.coordinator(), sharePersister, image,
                new PartitionEndOffsets(replicaManager, image, shareStateConnections));
        groups.coordinator().setShareStateInitializer(shareAdmin::initializeState);
        GroupHandlers.all(groups, transactions, shares, shareAdmin, produceVerifier,
                        authorization::topicDescribeAccess)
                .forEach(registry::register);
        ShareStateHandlers.all(shares.coordinator()).forEach(registry::register);
        ShareAdminHandlers.all(shareAdmin).forEach(registry::register);
        TransactionHandlers.all(transactions).forEach(registry::register);
        SecurityHandlers.all(image, controller).forEach(registry::register);
        AclHandlers.all(authorizerConfig.enabled(), image, controller).forEach(registry::register);
        return AuthorizingHandlers.wrap(registry, authorization, image,
                config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE));
    }

    /** The authorizer the handlers ask ({@link Authorization#NONE} without one). */
    Authorization authorization() {
        return authorization;
    }

    /** The SCRAM credentials SASL listeners check, from the published metadata image. */
    ScramCredentialStore scramCredentials() {
        return scramCredentials;
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
                // Leadership moves away while this broker still serves. Bounded by the session timeout: past it the controller fences this broker anyway, and
                // without a controller quorum (the last nodes of a cluster stopping) nothing can move.
                long timeoutMs = config.brokerSessionTimeoutMs();
                lifecycle.beginControlledShutdown(timeoutMs).get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
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
            if (isrExpiration != null) {
                isrExpiration.shutdownNow();
            }
            if (fetchers != null) {
                fetchers.close();
            }
            if (directoryAssignments != null) {
                directoryAssignments.close();
            }
        } finally {
            shared.logDirFailureHandler().setListener((dir, directoryId, offline) -> { });
            try {
                if (requestPool != null) {
                    requestPool.close();
                }
                if (groups != null) {
                    groups.close();
                }
                closeTransactions();
                closeShares();
            } finally {
                if (imageSubscription != null) {
                    shared.imageListeners().remove(imageSubscription);
                }
                closeChannels();
            }
        }
    }

    /** The coordinator first (it stops sending markers), then its channel and the verification connections. */
    private void closeTransactions() {
        if (transactions != null) {
            transactions.close();
        }
        if (markerChannel != null) {
            markerChannel.close();
        }
        if (verifierConnections != null) {
            verifierConnections.close();
        }
    }

    /** The persister's retries, then the coordinator, then the connections to other coordinators. */
    private void closeShares() {
        if (sharePersister != null) {
            sharePersister.close();
        }
        if (shares != null) {
            shares.close();
        }
        if (shareStateConnections != null) {
            shareStateConnections.close();
        }
    }

    private void closeChannels() {
        if (forwarding != null) {
            forwarding.close();
        }
        if (lifecycleChannel != null) {
            lifecycleChannel.close();
        }
        if (alterPartitionChannel != null) {
            alterPartitionChannel.close();
        }
    }

    static FetcherConfig fetcherConfig(BrokerConfig config) {
        return new FetcherConfig(config.nodeId(), config.replicaFetchMaxBytes(), config.replicaFetchResponseMaxBytes(),
                config.replicaFetchWaitMaxMs(), config.replicaFetchMinBytes(), config.replicaFetchBackoffMs(),
                REPLICA_SOCKET_TIMEOUT_MS, config.numReplicaFetchers(), InterBrokerSasl.of(config));
    }

    /** Where broker {@code brokerId} serves other brokers: its registered endpoint for the inter-broker listener. */
    private Optional<InetSocketAddress> interBrokerAddress(MetadataImage image, int brokerId) {
        BrokerRegistration broker = image.brokers().get(brokerId);
        if (broker == null) {
            return Optional.empty();
        }
        return broker.endpoint(config.interBrokerListenerName())
                .map(e -> new InetSocketAddress(e.host(), e.port()));
    }

    /**
     * KIP-903/KIP-841: a follower joins an ISR only while registered with the epoch it fetches with
     * (when its fetch says one), unfenced and not shutting down.
     */
    static boolean mayJoinIsr(MetadataImage image, int brokerId, long brokerEpoch) {
        BrokerRegistration broker = image.brokers().get(brokerId);
        return broker != null && !broker.fenced() && !broker.inControlledShutdown()
                && (brokerEpoch < 0 || broker.brokerEpoch() == brokerEpoch);
    }
}
