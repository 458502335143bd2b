package io.strand.metadata.controller;

import io.strand.common.config.GroupConfigs;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataLog;
import io.strand.metadata.record.ProducerIdsRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller: validates metadata requests against the latest image and appends the records
 * they produce through a {@link MetadataLog}. It never changes the image itself; a change is
 * visible once its records are applied, here and on every other node.
 *
 * <p>A single-threaded state machine fed by a queue. Every public method only enqueues; the
 * controller thread takes one operation at a time, computes records and a response from the
 * current image, and appends. The next operation starts only after that append completed (is
 * applied), so each operation is validated against an image that includes all earlier ones.
 * Operations with nothing to append (validate-only, all errors) answer at once. An administrator's
 * request is answered only once this node's listeners have the change ({@link MetadataLog#published}:
 * a created topic is served here when the answer leaves), but the next operation does not wait for
 * that: a listener slow to open fifty partition logs must not hold up heartbeats and ISR changes.
 * <pre>
 *   queued --(controller thread)--> computing --no records--> answered
 *                                        \--records--> appending --applied / failed--> answered
 * </pre>
 * When this node is not the leader every operation answers NOT_CONTROLLER; when an append fails
 * every item of the response carries the failure's error code. An operation that would write more
 * than {@link #MAX_RECORDS_PER_USER_OP} records (deleting or reconfiguring too many topics at once,
 * say) fails whole with POLICY_VIOLATION, every item of the request answering it; CreateTopics and
 * CreatePartitions check their counts before computing anything sized by them.
 *
 * <p>Broker lifecycle and leadership (Kafka's ClusterControlManager, BrokerHeartbeatManager and
 * ReplicationControlManager): {@link #registerBroker(BrokerRegistrationRequestData)},
 * {@link #brokerHeartbeat}, {@link #alterPartition}, {@link #electLeaders}, and the controller's
 * own {@link #fenceExpiredBrokers()}, {@link #probeSilentBrokers()} and {@link #balanceLeaders()}.
 * Broker sessions (last heartbeat, offsets a broker must reach) are controller-thread memory in
 * {@link BrokerSessions}, not metadata: they start afresh whenever this controller becomes active.
 * Every change of fencing or leadership is a record, so the image alone says who may lead.
 *
 * <p>Thread-safe. Futures complete on the controller thread; callers must not block it.
 *
 * <p>The controller thread is its own single thread unless the constructor is given an
 * {@link Executor}: then that executor is the "controller thread", so a deterministic simulation
 * can run the controller on its event loop (see that constructor for the contract).
 */
public final class QuorumController implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QuorumController.class);

    /**
     * The most records one client request may make the controller write, Kafka's
     * {@code QuorumController.MAX_RECORDS_PER_USER_OP}: a request over it (10,000 partitions in one
     * CreateTopics, say) is refused with POLICY_VIOLATION before anything is allocated for it.
     */
    static final int MAX_RECORDS_PER_USER_OP = 10_000;
    static final String EXCESSIVE_BATCH_MESSAGE = "Unable to perform excessively large batch operation.";
    /**
     * The most partitions one CreateTopics or CreatePartitions request may ask for, Kafka's
     * {@code ReplicationControlManager.MAX_PARTITIONS_PER_BATCH}; more is POLICY_VIOLATION.
     */
    static final int MAX_PARTITIONS_PER_REQUEST = 10_000;
    static final String EXCESSIVE_PARTITIONS_MESSAGE = "Excessively large number of partitions per request.";

    private static final long SLOW_OPERATION_MS = 1_000;
    private static final long CLOSE_WAIT_MS = 5_000;

    /** How often the controller's own thread looks for expired sessions and leader imbalance. */
    static final long TICK_INTERVAL_MS = 100;

    private final MetadataLog metadataLog;
    private final Time time;
    private final Random random;
    private final ReplicaPlacer placer;
    private final ClusterControlSettings settings;
    /** Runs every controller-thread task, one at a time, in submission order. */
    private final Executor executor;
    /** The controller's own thread, or null when the caller supplied {@link #executor}. */
    private final ScheduledExecutorService thread;
    /** Controller thread only. */
    private final BrokerSessions sessions;
    /** Controller thread only: a session check is queued, so a tick need not queue another. */
    private boolean sessionCheckQueued;
    /** Connects to silent brokers' endpoints; null when probing is off. */
    private final BrokerProber prober;
    /** Controller thread only; null when probing is off. */
    private final BrokerProbes probes;
    /** Controller thread only: a probe check is queued, so a tick need not queue another. */
    private boolean probeCheckQueued;
    /** Controller thread only: when the last automatic preferred election ran, by {@link #time}. */
    private long lastRebalanceMs;
    /** Set by {@link #close()} when the caller supplied the executor; read on the executor. */
    private volatile boolean closed;

    /** Controller thread only. */
    private final ArrayDeque<Operation<?>> queue = new ArrayDeque<>();
    /** Controller thread only. */
    private boolean appending;

    /**
     * @param random seeds topic ids and replica placement; pass a seeded one for deterministic tests
     */
    public QuorumController(MetadataLog metadataLog, Time time, Random random) {
        this(metadataLog, time, random, ClusterControlSettings.DEFAULTS);
    }

    /**
     * A controller on its own thread, which every {@link #TICK_INTERVAL_MS} (real time) fences
     * brokers whose session expired by {@code time} and, when enabled, moves leaderships back to
     * preferred replicas every {@link ClusterControlSettings#leaderImbalanceCheckIntervalMs()}.
     */
    public QuorumController(MetadataLog metadataLog, Time time, Random random, ClusterControlSettings settings) {
        this(metadataLog, time, random, settings, BrokerProbeSettings.DISABLED);
    }

    /**
     * As {@link #QuorumController(MetadataLog, Time, Random, ClusterControlSettings)}; with probes
     * enabled every tick also probes silent brokers ({@link #probeSilentBrokers()}).
     */
    public QuorumController(MetadataLog metadataLog, Time time, Random random, ClusterControlSettings settings,
                            BrokerProbeSettings probeSettings) {
        this.metadataLog = Objects.requireNonNull(metadataLog);
        this.time = Objects.requireNonNull(time);
        this.random = Objects.requireNonNull(random);
        this.settings = Objects.requireNonNull(settings);
        this.placer = new ReplicaPlacer(random);
        this.sessions = new BrokerSessions(settings.brokerSessionTimeoutMs());
        this.prober = probeSettings.prober();
        this.probes = probeSettings.enabled() ? new BrokerProbes(probeSettings) : null;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strand-controller");
            t.setDaemon(true);
            return t;
        });
        this.executor = thread;
        this.lastRebalanceMs = time.milliseconds();
        thread.scheduleWithFixedDelay(this::onTick, TICK_INTERVAL_MS, TICK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * A controller that runs on {@code executor} instead of a thread of its own; the simulation
     * tier uses it to run the controller on its single-threaded, manually timed event loop.
     *
     * <p>Contract: {@code executor} runs the tasks given to it one at a time, in the order given
     * (a serial executor), never on the calling thread from inside {@code execute}; the caller owns
     * it and keeps it running until the controller's futures have completed. {@link #close()} does
     * not stop it: it makes queued and later operations fail with NOT_CONTROLLER, on the executor.
     * An append already under way still answers with its outcome.
     */
    public QuorumController(MetadataLog metadataLog, Time time, Random random, Executor executor) {
        this(metadataLog, time, random, executor, ClusterControlSettings.DEFAULTS);
    }

    /**
     * As {@link #QuorumController(MetadataLog, Time, Random, Executor)}; nothing runs periodically:
     * the caller calls {@link #fenceExpiredBrokers()} (and {@link #balanceLeaders()}) on its schedule.
     */
    public QuorumController(MetadataLog metadataLog, Time time, Random random, Executor executor,
                            ClusterControlSettings settings) {
        this(metadataLog, time, random, executor, settings, BrokerProbeSettings.DISABLED);
    }

    /**
     * As {@link #QuorumController(MetadataLog, Time, Random, Executor, ClusterControlSettings)}, with
     * broker probes: the caller calls {@link #probeSilentBrokers()} on its schedule.
     */
    public QuorumController(MetadataLog metadataLog, Time time, Random random, Executor executor,
                            ClusterControlSettings settings, BrokerProbeSettings probeSettings) {
        this.metadataLog = Objects.requireNonNull(metadataLog);
        this.time = Objects.requireNonNull(time);
        this.random = Objects.requireNonNull(random);
        this.settings = Objects.requireNonNull(settings);
        this.placer = new ReplicaPlacer(random);
        this.sessions = new BrokerSessions(settings.brokerSessionTimeoutMs());
        this.prober = probeSettings.prober();
        this.probes = probeSettings.enabled() ? new BrokerProbes(probeSettings) : null;
        this.thread = null;
        this.executor = Objects.requireNonNull(executor);
        this.lastRebalanceMs = time.milliseconds();
    }

    public CompletableFuture<CreateTopicsResponseData> createTopics(CreateTopicsRequestData request,
                                                                    ControllerDefaults defaults) {
        return submit("createTopics",
                () -> CreateTopics.compute(metadataLog.image(), request, defaults, placer, random),
                QuorumController::failCreateTopics);
    }

    /** By name (v0-5) and by name or id (v6+). */
    public CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData request) {
        return submit("deleteTopics", () -> DeleteTopics.compute(metadataLog.image(), request),
                (response, failure) -> {
                    response.responses().forEach(t -> failure.applyTo(t::setErrorCode, t::setErrorMessage));
                    return response;
                });
    }

    public CompletableFuture<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequestData request) {
        return submit("createPartitions", () -> CreatePartitions.compute(metadataLog.image(), request, placer),
                (response, failure) -> {
                    response.results().forEach(t -> failure.applyTo(t::setErrorCode, t::setErrorMessage));
                    return response;
                });
    }

    /**
     * @param dynamicBrokerConfig which broker properties may be changed at run time; APPEND and
     *                            SUBTRACT are refused on every broker property
     */
    public CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
            IncrementalAlterConfigsRequestData request, Predicate<String> dynamicBrokerConfig) {
        return incrementalAlterConfigs(request, dynamicBrokerConfig, name -> false);
    }

    /** @param brokerListConfig which broker properties are lists (for APPEND and SUBTRACT) */
    public CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
            IncrementalAlterConfigsRequestData request, Predicate<String> dynamicBrokerConfig,
            Predicate<String> brokerListConfig) {
        return incrementalAlterConfigs(request, dynamicBrokerConfig, brokerListConfig,
                GroupConfigs.Bounds.KAFKA_DEFAULTS);
    }

    /** @param groupBounds the bounds group configs must keep within (this node's {@code group.*} settings) */
    public CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
            IncrementalAlterConfigsRequestData request, Predicate<String> dynamicBrokerConfig,
            Predicate<String> brokerListConfig, GroupConfigs.Bounds groupBounds) {
        return submit("incrementalAlterConfigs",
                () -> IncrementalAlterConfigs.compute(metadataLog.image(), request, dynamicBrokerConfig,
                        brokerListConfig, groupBounds),
                (response, failure) -> {
                    response.responses().forEach(r -> failure.applyTo(r::setErrorCode, r::setErrorMessage));
                    return response;
                });
    }

    /** Creates, replaces and deletes users' SCRAM credentials (Kafka's rules: {@link AlterUserScramCredentials}). */
    public CompletableFuture<AlterUserScramCredentialsResponseData> alterUserScramCredentials(
            AlterUserScramCredentialsRequestData request) {
        return submit("alterUserScramCredentials", () -> AlterUserScramCredentials.compute(metadataLog.image(), request),
                (response, failure) -> {
                    response.results().forEach(r -> failure.applyTo(r::setErrorCode, r::setErrorMessage));
                    return response;
                });
    }

    /** Sets and removes client quotas (AlterClientQuotas), checked as Kafka checks them. */
    public CompletableFuture<AlterClientQuotasResponseData> alterClientQuotas(AlterClientQuotasRequestData request) {
        return submit("alterClientQuotas", () -> AlterClientQuotas.compute(metadataLog.image(), request),
                (response, failure) -> {
                    response.entries().forEach(e -> failure.applyTo(e::setErrorCode, e::setErrorMessage));
                    return response;
                });
    }

    /** The given set replaces all overrides of each resource. */
    public CompletableFuture<AlterConfigsResponseData> legacyAlterConfigs(AlterConfigsRequestData request,
                                                                          Predicate<String> dynamicBrokerConfig) {
        return legacyAlterConfigs(request, dynamicBrokerConfig, GroupConfigs.Bounds.KAFKA_DEFAULTS);
    }

    /** @param groupBounds the bounds group configs must keep within (this node's {@code group.*} settings) */
    public CompletableFuture<AlterConfigsResponseData> legacyAlterConfigs(AlterConfigsRequestData request,
                                                                          Predicate<String> dynamicBrokerConfig,
                                                                          GroupConfigs.Bounds groupBounds) {
        return submit("legacyAlterConfigs",
                () -> LegacyAlterConfigs.compute(metadataLog.image(), request, dynamicBrokerConfig, groupBounds),
                (response, failure) -> {
                    response.responses().forEach(r -> failure.applyTo(r::setErrorCode, r::setErrorMessage));
                    return response;
                });
    }

    /** CreateAcls: per creation INVALID_REQUEST for a bad binding, else added (once). See {@link Acls}. */
    public CompletableFuture<CreateAclsResponseData> createAcls(CreateAclsRequestData request) {
        return submit("createAcls", () -> Acls.create(metadataLog.image(), request, random),
                (response, failure) -> {
                    response.results().forEach(r -> failure.applyTo(r::setErrorCode, r::setErrorMessage));
                    return response;
                });
    }

    /** DeleteAcls: removes every ACL each filter matches, listed per filter. See {@link Acls}. */
    public CompletableFuture<DeleteAclsResponseData> deleteAcls(DeleteAclsRequestData request) {
        return submit("deleteAcls", () -> Acls.delete(metadataLog.image(), request),
                (response, failure) -> {
                    response.filterResults().forEach(r -> {
                        failure.applyTo(r::setErrorCode, r::setErrorMessage);
                        r.matchingAcls().clear();
                    });
                    return response;
                });
    }

    /** Registers (or re-registers) a broker; completes once the registration is in the image. */
    public CompletableFuture<Void> registerBroker(RegisterBrokerRecord registration) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        enqueue(new Operation<>("registerBroker", () -> {
            if (registration.brokerId() < 0) {
                throw new IllegalArgumentException("Negative broker id: brokerId=" + registration.brokerId());
            }
            BrokerRegistration current = metadataLog.image().brokers().get(registration.brokerId());
            if (BrokerRegistration.of(registration).equals(current)) {
                return ControllerResult.<Void>of(null);
            }
            return new ControllerResult<Void>(List.of(registration), null);
        }, null, future));
        return future;
    }

    /**
     * Registers a broker through its lifecycle (Kafka's BrokerRegistration): the answer carries the
     * new broker epoch, and the broker starts fenced until a heartbeat unfences it. A registration
     * with another incarnation id while the previous one's session is alive is
     * DUPLICATE_BROKER_REGISTRATION; a retry of the applied one (same incarnation, endpoints and
     * rack) answers its epoch again. Errors are in the response's error code.
     */
    public CompletableFuture<BrokerRegistrationResponseData> registerBroker(BrokerRegistrationRequestData request) {
        return submitForBroker("brokerRegistration", () -> BrokerLifecycle.register(metadataLog.image(), request,
                sessions, time.milliseconds(), settings),
                (response, failure) -> response.setErrorCode(failure.error().code()));
    }

    /**
     * A broker's heartbeat (Kafka's BrokerHeartbeat): renews its session and answers whether it has
     * caught up with its registration, is fenced, and should shut down. Unfences a caught-up broker
     * that asks ({@code wantFence=false}); fences one that asks; starts a controlled shutdown on
     * {@code wantShutDown} (leaderships move to other ISR members, it leaves ISRs where not the last
     * member) and answers {@code shouldShutDown} (and fences it) once it leads nothing and has seen
     * that change. {@code OfflineLogDirs} naming directories of the registration takes the replicas in
     * them out of ISRs and leaderships (see {@link LogDirectories}). A wrong or unknown broker epoch is
     * STALE_BROKER_EPOCH.
     */
    public CompletableFuture<BrokerHeartbeatResponseData> brokerHeartbeat(BrokerHeartbeatRequestData request) {
        // Counts from now, however long it waits in the queue behind a slow append.
        sessions.onHeartbeatReceived(request.brokerId(), request.brokerEpoch(), time.milliseconds());
        return submitForBroker("brokerHeartbeat", () -> BrokerLifecycle.heartbeat(metadataLog.image(), request,
                sessions, time.milliseconds(), settings),
                (response, failure) -> response.setErrorCode(failure.error().code()));
    }

    /**
     * Removes a broker's registration (Kafka's UnregisterBroker): its ISR places and leaderships
     * move as on fencing first. BROKER_ID_NOT_REGISTERED in the response when it has none.
     */
    public CompletableFuture<UnregisterBrokerResponseData> unregisterBroker(UnregisterBrokerRequestData request) {
        return submitForBroker("unregisterBroker", () -> BrokerLifecycle.unregister(metadataLog.image(),
                request.brokerId(), sessions, settings), (response, failure) -> {
                    failure.applyTo(response::setErrorCode, response::setErrorMessage);
                    return response;
                });
    }

    /**
     * A partition leader's ISR change (Kafka's AlterPartition, {@code version} 2 or 3); see
     * {@link AlterPartitions} for the checks. Errors per partition, STALE_BROKER_EPOCH and
     * NOT_CONTROLLER in the top-level error code.
     */
    public CompletableFuture<AlterPartitionResponseData> alterPartition(AlterPartitionRequestData request,
                                                                        short version) {
        return submitForBroker("alterPartition", () -> AlterPartitions.compute(metadataLog.image(), request, version,
                settings.uncleanLeaderElectionEnable()), (response, failure) -> {
                    response.topics().clear();
                    return response.setErrorCode(failure.error().code());
                });
    }

    /**
     * A broker says in which of its log directories it placed replicas (Kafka's AssignReplicasToDirs,
     * KIP-858); see {@link LogDirectories}. Errors per partition, STALE_BROKER_EPOCH and
     * NOT_CONTROLLER in the top-level error code.
     */
    public CompletableFuture<AssignReplicasToDirsResponseData> assignReplicasToDirs(
            AssignReplicasToDirsRequestData request) {
        return submitForBroker("assignReplicasToDirs", () -> LogDirectories.assign(metadataLog.image(), request,
                settings.uncleanLeaderElectionEnable()), (response, failure) -> {
                    response.directories().clear();
                    return response.setErrorCode(failure.error().code());
                });
    }

    /** Preferred or unclean leader elections (Kafka's ElectLeaders); see {@link ElectLeaders}. */
    public CompletableFuture<ElectLeadersResponseData> electLeaders(ElectLeadersRequestData request) {
        return submit("electLeaders", () -> ElectLeaders.compute(metadataLog.image(), request),
                (response, failure) -> {
                    response.replicaElectionResults().forEach(t -> t.partitionResult().forEach(p ->
                            failure.applyTo(p::setErrorCode, p::setErrorMessage)));
                    return response.setErrorCode(failure.error().code());
                });
    }

    /**
     * Starts, replaces or cancels partition reassignments (Kafka's AlterPartitionReassignments); see
     * {@link PartitionReassignments}. Errors per partition; a failed append answers its error on every
     * partition and at the top level.
     */
    public CompletableFuture<AlterPartitionReassignmentsResponseData> alterPartitionReassignments(
            AlterPartitionReassignmentsRequestData request) {
        return submit("alterPartitionReassignments", () -> PartitionReassignments.alter(metadataLog.image(), request,
                settings.uncleanLeaderElectionEnable()), (response, failure) -> {
                    response.responses().forEach(t -> t.partitions().forEach(p ->
                            failure.applyTo(p::setErrorCode, p::setErrorMessage)));
                    failure.applyTo(response::setErrorCode, response::setErrorMessage);
                    return response;
                });
    }

    /** The reassignments under way (Kafka's ListPartitionReassignments); see {@link PartitionReassignments}. */
    public CompletableFuture<ListPartitionReassignmentsResponseData> listPartitionReassignments(
            ListPartitionReassignmentsRequestData request) {
        return submit("listPartitionReassignments",
                () -> ControllerResult.of(PartitionReassignments.list(metadataLog.image(), request)),
                (response, failure) -> {
                    response.topics().clear();
                    failure.applyTo(response::setErrorCode, response::setErrorMessage);
                    return response;
                });
    }

    /**
     * Fences every broker whose session expired by the controller's clock (no heartbeat for
     * longer than {@code broker.session.timeout.ms}) and moves its leaderships and ISR places;
     * completes with the ids fenced. The own-thread controller runs it every
     * {@link #TICK_INTERVAL_MS}; a controller on a caller's executor relies on the caller.
     */
    public CompletableFuture<List<Integer>> fenceExpiredBrokers() {
        CompletableFuture<List<Integer>> future = new CompletableFuture<>();
        enqueue(new Operation<>("fenceExpiredBrokers", () -> {
            sessionCheckQueued = false;
            long nowMs = time.milliseconds();
            ControllerResult<List<Integer>> fenced = BrokerLifecycle.fenceExpired(metadataLog.image(), sessions, nowMs,
                    settings);
            if (!fenced.response().isEmpty() && metadataLog.isLeader()) {
                log.info("Fencing brokers whose sessions expired: brokerIds={} silentMs={}", fenced.response(),
                        fenced.response().stream().map(id -> sessions.silenceMs(id, nowMs)).toList());
            }
            return fenced;
        }, null, future, false));
        return future;
    }

    /**
     * Probes the endpoint of every broker silent for more than one heartbeat, and of every broker
     * on this controller's first check after it became active (see {@link BrokerProbes}), and
     * fences, as a session expiry does, each whose connection is refused; completes with the ids
     * probed now (their outcomes arrive later, as operations of their own).
     * Nothing when probing is off; NOT_CONTROLLER when this node is not the active controller. The
     * own-thread controller runs it every {@link #TICK_INTERVAL_MS}; a controller on a caller's
     * executor relies on the caller.
     */
    public CompletableFuture<List<Integer>> probeSilentBrokers() {
        CompletableFuture<List<Integer>> future = new CompletableFuture<>();
        enqueue(new Operation<>("probeSilentBrokers", () -> {
            probeCheckQueued = false;
            if (probes == null) {
                return ControllerResult.<List<Integer>>of(List.of());
            }
            if (!metadataLog.isLeader()) {
                probes.onInactive();
                return ControllerResult.<List<Integer>>of(List.of());
            }
            List<BrokerProbes.Probe> due = probes.due(metadataLog.image(), sessions, time.milliseconds());
            due.forEach(this::sendProbe);
            return ControllerResult.of(due.stream().map(BrokerProbes.Probe::brokerId).toList());
        }, null, future, false));
        return future;
    }

    /** Controller thread: starts a probe; its outcome comes back through the queue. */
    private void sendProbe(BrokerProbes.Probe probe) {
        CompletableFuture<BrokerProber.Outcome> outcome;
        try {
            outcome = prober.probe(probe.host(), probe.port());
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((answer, error) ->
                onBrokerProbed(probe, error == null && answer != null ? answer : BrokerProber.Outcome.NO_ANSWER));
    }

    /** Any thread: queues a probe's outcome; a refusal fences the broker (see {@link BrokerProbes}). */
    private void onBrokerProbed(BrokerProbes.Probe probe, BrokerProber.Outcome outcome) {
        enqueue(new Operation<>("brokerProbed", () -> {
            MetadataImage image = metadataLog.image();
            long nowMs = time.milliseconds();
            if (!probes.onOutcome(probe, outcome, image, sessions, nowMs) || !metadataLog.isLeader()) {
                return ControllerResult.of(false);
            }
            log.info("Fencing a silent broker whose endpoint refused a connection: brokerId={} brokerEpoch={} "
                    + "endpoint={}:{} silentMs={}", probe.brokerId(), probe.brokerEpoch(), probe.host(), probe.port(),
                    sessions.silenceMs(probe.brokerId(), nowMs));
            return new ControllerResult<>(BrokerLifecycle.changeState(image, image.brokers().get(probe.brokerId()),
                    true, false, settings.uncleanLeaderElectionEnable()), true);
        }, null, new CompletableFuture<Boolean>(), false));
    }

    /**
     * A preferred leader election over every partition (what {@code auto.leader.rebalance.enable}
     * runs every {@code leader.imbalance.check.interval.seconds}); completes with the answer.
     */
    public CompletableFuture<ElectLeadersResponseData> balanceLeaders() {
        CompletableFuture<ElectLeadersResponseData> future = new CompletableFuture<>();
        ElectLeadersRequestData all = new ElectLeadersRequestData()
                .setElectionType(ElectionType.PREFERRED.value).setTopicPartitions(null);
        enqueue(new Operation<>("balanceLeaders", () -> ElectLeaders.compute(metadataLog.image(), all), null,
                future, false));
        return future;
    }

    /** The own thread's periodic task: queue a session check, a probe check, and a rebalance when one is due. */
    private void onTick() {
        if (closed) {
            return;
        }
        if (!sessionCheckQueued) {
            sessionCheckQueued = true;
            fenceExpiredBrokers();
        }
        if (probes != null && !probeCheckQueued) {
            probeCheckQueued = true;
            probeSilentBrokers();
        }
        long nowMs = time.milliseconds();
        if (settings.autoLeaderRebalanceEnable() && nowMs - lastRebalanceMs >= settings.leaderImbalanceCheckIntervalMs()) {
            lastRebalanceMs = nowMs;
            balanceLeaders();
        }
    }

    /**
     * Hands {@code blockSize} producer ids to {@code brokerId}, which must be registered; completes
     * with the first id of the block once the new counter is applied.
     */
    public CompletableFuture<Long> allocateProducerIds(int brokerId, int blockSize) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        enqueue(new Operation<>("allocateProducerIds", () -> {
            if (blockSize <= 0) {
                throw new IllegalArgumentException("Producer id block size must be positive: blockSize=" + blockSize);
            }
            MetadataImage image = metadataLog.image();
            if (!image.brokers().containsKey(brokerId)) {
                throw new BrokerIdNotRegisteredException("No node with id " + brokerId + " found.");
            }
            long first = image.nextProducerId();
            if (first > Long.MAX_VALUE - blockSize) {
                throw new UnknownServerException("Exhausted all producerIds: nextProducerId=" + first
                        + " blockSize=" + blockSize);
            }
            return new ControllerResult<>(List.of(new ProducerIdsRecord(brokerId, first + blockSize)), first);
        }, null, future));
        return future;
    }

    /**
     * Enqueues an operation answered with a response even when it fails: on not-leader or append
     * failure, {@code onFailure} marks every item of the computed response with the error.
     */
    private <T> CompletableFuture<T> submit(String name, Supplier<ControllerResult<T>> compute,
                                            BiFunction<T, Failure, T> onFailure) {
        CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(new Operation<>(name, compute, onFailure, future, true, true));
        return future;
    }

    /**
     * As {@link #submit}, for a broker's own request (registration, heartbeat, ISR change): answered
     * once applied, without waiting for this node's listeners, as a broker whose controller is on
     * another node is answered.
     */
    private <T> CompletableFuture<T> submitForBroker(String name, Supplier<ControllerResult<T>> compute,
                                                     BiFunction<T, Failure, T> onFailure) {
        CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(new Operation<>(name, compute, onFailure, future, true, false));
        return future;
    }

    private void enqueue(Operation<?> operation) {
        try {
            executor.execute(() -> {
                if (closed) {
                    operation.fail(new NotControllerException("Controller is closed"), null);
                    return;
                }
                queue.add(operation);
                maybeRunNext();
            });
        } catch (RejectedExecutionException e) {
            operation.fail(new NotControllerException("Controller is closed"), null);
        }
    }

    /** Controller thread: runs queued operations until one has to wait for its append. */
    private void maybeRunNext() {
        while (!appending && !closed && !queue.isEmpty()) {
            run(queue.poll());
        }
    }

    private <T> void run(Operation<T> operation) {
        long startMs = time.milliseconds();
        // Leadership as the operation computed: one computed while this node was not yet the active
        // controller (its sessions not started) must not be appended because it became active meanwhile.
        boolean leaderWhenComputed = metadataLog.isLeader();
        ControllerResult<T> result;
        try {
            sessions.maybeActivate(leaderWhenComputed, metadataLog.image(), startMs);
            result = operation.compute.get();
        } catch (RecordLimitExceededException e) {
            log.info("Refused an excessively large operation: operation={} reason={}", operation.name, e.getMessage());
            operation.fail(new PolicyViolationException(EXCESSIVE_BATCH_MESSAGE), null);
            return;
        } catch (RuntimeException e) {
            if (!(e instanceof ApiException)) {
                log.error("Controller operation failed: operation={}", operation.name, e);
            }
            operation.fail(e, null);
            return;
        }
        if (operation.bounded && result.records().size() > MAX_RECORDS_PER_USER_OP) {
            // What the request asked for is bounded by its own size; the batch it would append is not.
            log.info("Refused an excessively large operation: operation={} records={}", operation.name,
                    result.records().size());
            operation.fail(new PolicyViolationException(EXCESSIVE_BATCH_MESSAGE), null);
            return;
        }
        if (!leaderWhenComputed || !metadataLog.isLeader()) {
            operation.fail(new NotControllerException("This node is not the active controller"), result.response());
            return;
        }
        if (result.records().isEmpty()) {
            operation.future.complete(result.response());
            return;
        }
        appending = true;
        metadataLog.append(result.records()).whenComplete((offset, error) -> {
            try {
                executor.execute(() -> onAppended(operation, result, offset, error, startMs));
            } catch (RejectedExecutionException e) {
                operation.fail(new NotControllerException("Controller is closed"), result.response());
            }
        });
    }

    /** Controller thread: the append of {@code operation} finished. */
    private <T> void onAppended(Operation<T> operation, ControllerResult<T> result, Long offset, Throwable error,
                                long startMs) {
        appending = false;
        if (error == null) {
            if (result.onAppended() != null) {
                result.onAppended().accept(offset);
            }
            if (operation.answerWhenPublished) {
                answerWhenPublished(operation, result.response(), offset);
            } else {
                operation.future.complete(result.response());
            }
        } else {
            Throwable cause = unwrap(error);
            log.warn("Metadata append failed: operation={} records={} error={}", operation.name,
                    result.records().size(), cause.toString());
            operation.fail(cause, result.response());
        }
        long elapsedMs = time.milliseconds() - startMs;
        if (elapsedMs > SLOW_OPERATION_MS) {
            log.warn("Slow controller operation: operation={} records={} elapsedMs={}", operation.name,
                    result.records().size(), elapsedMs);
        }
        maybeRunNext();
    }

    /**
     * Controller thread: answers {@code operation} on the controller thread once this node's
     * listeners have taken in {@code offset}, while the next operations already run; fails it as
     * the log's {@code published} fails (the log closing).
     */
    private <T> void answerWhenPublished(Operation<T> operation, T response, long offset) {
        metadataLog.published(offset).whenComplete((v, error) -> {
            try {
                executor.execute(() -> {
                    if (error == null) {
                        operation.future.complete(response);
                    } else {
                        operation.fail(unwrap(error), response);
                    }
                });
            } catch (RejectedExecutionException e) {
                operation.fail(new NotControllerException("Controller is closed"), response);
            }
        });
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * Stops the controller thread; queued operations fail with NOT_CONTROLLER. With a
     * caller-supplied executor they fail on that executor, which keeps running.
     */
    @Override
    public void close() {
        if (thread == null) {
            closed = true;
            executor.execute(this::failQueued);
            return;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        failQueued();
    }

    /** After the controller thread stopped, or on the caller's executor once closed. */
    private void failQueued() {
        NotControllerException closedError = new NotControllerException("Controller is closed");
        for (Operation<?> operation : queue) {
            operation.fail(closedError, null);
        }
        queue.clear();
    }

    /** Every topic answers the failure, as Kafka's error response does: no id, counts unknown. */
    private static CreateTopicsResponseData failCreateTopics(CreateTopicsResponseData response, Failure failure) {
        for (CreateTopicsResponseData.CreatableTopicResult topic : response.topics()) {
            failure.applyTo(topic::setErrorCode, topic::setErrorMessage);
            topic.setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1);
        }
        return response;
    }

    /** The wire error and message a failed operation answers with. */
    record Failure(Errors error, String message) {
        static Failure of(Throwable e) {
            Errors error = Errors.forException(e);
            return new Failure(error, e.getMessage() != null ? e.getMessage() : error.message());
        }

        void applyTo(Consumer<Short> setErrorCode, Consumer<String> setErrorMessage) {
            setErrorCode.accept(error.code());
            setErrorMessage.accept(message);
        }
    }

    /**
     * One queued request. {@code onFailure} is null for operations that fail their future instead
     * of answering with an error response.
     */
    private static final class Operation<T> {
        final String name;
        final Supplier<ControllerResult<T>> compute;
        final BiFunction<T, Failure, T> onFailure;
        final CompletableFuture<T> future;
        /** Whether {@link #MAX_RECORDS_PER_USER_OP} applies: client requests yes, the controller's own work no. */
        final boolean bounded;
        /**
         * Whether the answer waits until this node's listeners have the change
         * ({@link MetadataLog#published}): an administrator's request yes, so what it changed is in
         * effect here when it is answered; a broker's own requests and the controller's own work no.
         */
        final boolean answerWhenPublished;

        Operation(String name, Supplier<ControllerResult<T>> compute, BiFunction<T, Failure, T> onFailure,
                  CompletableFuture<T> future) {
            this(name, compute, onFailure, future, true, false);
        }

        Operation(String name, Supplier<ControllerResult<T>> compute, BiFunction<T, Failure, T> onFailure,
                  CompletableFuture<T> future, boolean bounded) {
            this(name, compute, onFailure, future, bounded, false);
        }

        Operation(String name, Supplier<ControllerResult<T>> compute, BiFunction<T, Failure, T> onFailure,
                  CompletableFuture<T> future, boolean bounded, boolean answerWhenPublished) {
            this.name = name;
            this.compute = compute;
            this.onFailure = onFailure;
            this.future = future;
            this.bounded = bounded;
            this.answerWhenPublished = answerWhenPublished;
        }

        /** Answers the failure inside {@code computed} when there is one, else fails the future. */
        void fail(Throwable error, T computed) {
            if (onFailure == null || computed == null) {
                future.completeExceptionally(error);
                return;
            }
            future.complete(onFailure.apply(computed, Failure.of(error)));
        }
    }
}
