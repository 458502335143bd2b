package io.strand.broker.sim;

import io.strand.broker.fetcher.FetcherConfig;
import io.strand.broker.fetcher.LeaderEndpoint;
import io.strand.broker.fetcher.ReplicaFetcher;
import io.strand.broker.fetcher.SimFetcherAccess;
import io.strand.broker.replica.FollowerFetching;
import io.strand.broker.replica.LogConfigResolver;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.replica.Replication;
import io.strand.common.config.BrokerConfig;
import io.strand.common.sim.Restartable;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.ReplicaLogStore;
import io.strand.storage.cleaner.CleanerConfig;
import io.strand.storage.log.LogAppendResult;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * One simulated broker: the real {@link ReplicaManager} (so the real {@link Partition} leader logic)
 * over its logs in memory ({@link SimLogStore}, {@link SimLog}) or, given a directory, over a real
 * {@link LogManager} there, the real {@link ReplicaFetcher} driven in halves
 * ({@link SimFetcherAccess}), a registration and heartbeats to the controller, metadata pulled from
 * it and applied as the broker's image listener does, and the leader's side of a follower's Fetch
 * ({@link LeaderFetchServing}). Every message goes through the simulation's network.
 *
 * <p>Durable (survives {@link #crash()}, a kill -9): the log directory ({@link SimLogStore.Disk}, or
 * the files) and, mirroring it, the {@link ReplicaView}s. Everything else lives in one
 * {@link Incarnation}, dropped on a crash; every callback checks that its incarnation is still the
 * current one.
 *
 * <p>Not thread-safe: the simulation's event loop only.
 */
final class SimBroker implements Restartable {

    static final long REPLICA_LAG_TIME_MAX_MS = 400;
    private static final long CALL_TIMEOUT_MS = 250;
    private static final long FETCH_TIMEOUT_MS = 250;
    private static final int FETCH_MAX_BYTES = 700;
    /** Immutable and the same for every broker: built once, not per incarnation. */
    private static final LogConfigResolver CONFIG_RESOLVER = new LogConfigResolver(BrokerConfig.defaults());

    private final int brokerId;
    private final ReplicationSimulation sim;
    private final Random random;
    private final SimLogStore.Disk disk = new SimLogStore.Disk();
    /** The directory of the broker's file logs; null when they are in memory ({@link #disk}). */
    private final Path fileLogDir;
    private final Map<TopicPartition, ReplicaView> views = new HashMap<>();
    private Incarnation current;
    private int incarnations;
    /** How often a write cut records off any of this broker's views. */
    private int truncations;

    SimBroker(int brokerId, ReplicationSimulation sim, Random random, Path fileLogDir) {
        this.brokerId = brokerId;
        this.sim = sim;
        this.random = random;
        this.fileLogDir = fileLogDir;
        this.current = new Incarnation();
    }

    @Override
    public int nodeId() {
        return brokerId;
    }

    @Override
    public boolean isUp() {
        return current != null;
    }

    /** This broker's copy of {@code tp} as written so far; empty if it never had one. */
    ReplicaView view(TopicPartition tp) {
        return views.computeIfAbsent(tp, k -> new ReplicaView(() -> truncations++));
    }

    /** How often a write cut records off this broker's logs, over its whole life. */
    int truncations() {
        return truncations;
    }

    /** The partitions this broker hosts now; empty while it is down or has no image yet. */
    Map<TopicPartition, Partition> partitions() {
        Incarnation inc = current;
        return inc == null || inc.replicaManager == null ? Map.of() : inc.replicaManager.partitions();
    }

    /** Closes the logs as a clean shutdown would, at the end of a run. */
    void close() {
        if (current != null) {
            current.closeLogs.run();
            current = null;
        }
    }

    /** A number that changes on every restart, so per-incarnation checks start over. */
    int incarnation() {
        return incarnations;
    }

    @Override
    public void crash() {
        sim.network().setUp(brokerId, false);
        current.abandon();
        current = null;
    }

    @Override
    public void restart() {
        sim.network().setUp(brokerId, true);
        current = new Incarnation();
    }

    // ---- periodic work, scheduled once by the simulation ----

    void onTick() {
        if (current != null && !current.paused) {
            current.tick();
        }
    }

    void onMessage(int source, SimMessage message) {
        Incarnation inc = current;
        if (inc != null) {
            inc.runOrDefer(() -> inc.onMessage(source, message));
        }
    }

    boolean isPaused() {
        return current != null && current.paused;
    }

    /**
     * Freezes the process (a long GC pause, a stopped VM): nothing it would do runs, what arrives
     * waits, until {@link #resume()}. Its state, beliefs included, stays as it was.
     */
    void pause() {
        if (current != null) {
            current.paused = true;
        }
    }

    /** Thaws the process: what waited runs now, in order, one event each. */
    void resume() {
        Incarnation inc = current;
        if (inc == null || !inc.paused) {
            return;
        }
        inc.paused = false;
        while (!inc.deferred.isEmpty()) {
            Runnable next = inc.deferred.poll();
            sim.scheduler().schedule(0, () -> {
                if (current == inc) {
                    next.run();
                }
            });
        }
    }

    /** ListOffsets as this broker's leader side answers a follower; thrown as the failure a fetcher sees. */
    ListOffsetsResponseData listOffsets(ListOffsetsRequestData request) {
        Incarnation inc = current;
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse t = new ListOffsetsResponseData.ListOffsetsTopicResponse()
                    .setName(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition wanted : topic.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse answer =
                        new ListOffsetsResponseData.ListOffsetsPartitionResponse().setPartitionIndex(wanted.partitionIndex());
                Partition p = inc == null ? null : partitions().get(new TopicPartition(topic.name(), wanted.partitionIndex()));
                try {
                    if (p == null || !p.isLeader()) {
                        throw new NotLeaderOrFollowerException("not the leader");
                    }
                    p.checkLeaderEpoch(wanted.currentLeaderEpoch());
                    answer.setOffset(wanted.timestamp() == ListOffsetsRequest.EARLIEST_TIMESTAMP
                            ? p.replicaLog().logStartOffset() : p.replicaLog().logEndOffset()).setLeaderEpoch(p.leaderEpoch());
                } catch (ApiException e) {
                    answer.setErrorCode(Errors.forException(e).code());
                }
                t.partitions().add(answer);
            }
            response.topics().add(t);
        }
        return response;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("SimBroker(id=" + brokerId + ", up=" + isUp() + ", paused=" + isPaused());
        if (current != null) {
            s.append(", epoch=").append(current.brokerEpoch).append(", metadataOffset=").append(current.appliedOffset);
        }
        partitions().forEach((tp, p) -> s.append(", ").append(tp).append("[leader=").append(p.leaderId())
                .append(" epoch=").append(p.leaderEpoch()).append(" isr=").append(p.isr()).append(" hw=")
                .append(p.highWatermark()).append(" leo=").append(p.replicaLog().logEndOffset()).append("]"));
        if (current != null) {
            current.fetchers.forEach((leaderId, slot) -> slot.followed.forEach(tp -> s.append(", fetching ")
                    .append(SimFetcherAccess.describe(slot.fetcher, tp)).append(" from ").append(leaderId)
                    .append(slot.inflight != null ? " (in flight)" : "")));
        }
        views.forEach((tp, v) -> s.append(", view ").append(tp).append("=").append(v));
        return s.append(")").toString();
    }

    /**
     * A killed process's log manager. It offers this only to its own package's tests; reflection
     * is the stopgap until it is public.
     */
    private static void killLogManager(LogManager logManager) {
        try {
            Method abandon = LogManager.class.getDeclaredMethod("abandon");
            abandon.setAccessible(true);
            abandon.invoke(logManager);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The in-memory state of one run of the broker process. */
    private final class Incarnation {
        final ReplicaLogStore logs;
        /** The logs' kill -9: no flush, no checkpoint, no clean-shutdown marker. */
        final Runnable killLogs;
        final Runnable closeLogs;
        final Uuid incarnationId = new Uuid(random.nextLong(), random.nextLong());
        ReplicaManager replicaManager;
        MetadataImage image = MetadataImage.EMPTY;
        long appliedOffset;
        long brokerEpoch = -1;
        boolean registering;
        long lastHeartbeatMs = Long.MIN_VALUE / 2;
        long lastPullMs = Long.MIN_VALUE / 2;
        long lastShrinkCheckMs;
        long nextCallId;
        final Map<Long, CompletableFuture<Object>> calls = new HashMap<>();
        final Map<Integer, FetcherSlot> fetchers = new TreeMap<>();
        final Set<TopicPartition> checkedViews = new HashSet<>();
        boolean paused;
        final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
        long nextRoundId;

        Incarnation() {
            incarnations++;
            if (fileLogDir == null) {
                SimLogStore store = new SimLogStore(disk, sim.scheduler().time());
                logs = store;
                killLogs = store::abandon;
                closeLogs = () -> { };
            } else {
                // No compaction here (no compacted topic), so no cleaner thread per incarnation.
                LogManager logManager = new LogManager(LogManagerConfig.withDefaults(List.of(fileLogDir)).withCleaner(
                        false, CleanerConfig.MIN_DEDUPE_BUFFER_BYTES, Double.MAX_VALUE,
                        LogManagerConfig.DEFAULT_CLEANER_BACKOFF_MS), sim.scheduler().time());
                logManager.startup();
                logs = logManager;
                killLogs = () -> killLogManager(logManager);
                closeLogs = logManager::close;
            }
        }

        long nowMs() {
            return sim.scheduler().nowMs();
        }

        /** Runs {@code action} now, or after the pause if the process is frozen. */
        void runOrDefer(Runnable action) {
            if (paused) {
                deferred.add(action);
            } else {
                action.run();
            }
        }

        void tick() {
            long nowMs = nowMs();
            if (nowMs - lastPullMs >= 20) {
                lastPullMs = nowMs;
                sim.send(brokerId, SimController.NODE_ID, new SimMessage.MetadataPull(appliedOffset));
            }
            if (nowMs - lastHeartbeatMs >= 60) {
                lastHeartbeatMs = nowMs;
                heartbeat();
            }
            for (FetcherSlot slot : fetchers.values()) {
                slot.maybeFetch(nowMs);
            }
            if (replicaManager != null && nowMs - lastShrinkCheckMs >= REPLICA_LAG_TIME_MAX_MS / 2) {
                lastShrinkCheckMs = nowMs;
                replicaManager.maybeShrinkIsrs();
            }
        }

        void abandon() {
            for (CompletableFuture<Object> call : calls.values()) {
                call.completeExceptionally(new NetworkException("process killed"));
            }
            calls.clear();
            killLogs.run();
        }

        // ---- the controller ----

        CompletableFuture<Object> call(Object request) {
            long callId = nextCallId++;
            CompletableFuture<Object> future = new CompletableFuture<>();
            calls.put(callId, future);
            sim.send(brokerId, SimController.NODE_ID, new SimMessage.ControllerCall(callId, request));
            sim.scheduler().schedule(CALL_TIMEOUT_MS, () -> runOrDefer(() -> {
                CompletableFuture<Object> pending = calls.remove(callId);
                if (pending != null) {
                    pending.completeExceptionally(new TimeoutException("no answer from the controller"));
                }
            }));
            return future;
        }

        void heartbeat() {
            if (brokerEpoch < 0) {
                if (registering) {
                    return;
                }
                registering = true;
                BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                        .setIncarnationId(incarnationId);
                request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                        .setHost("broker-" + brokerId).setPort(9092).setSecurityProtocol((short) 0));
                call(request).whenComplete((response, error) -> {
                    registering = false;
                    if (error == null && current == this
                            && ((BrokerRegistrationResponseData) response).errorCode() == Errors.NONE.code()) {
                        brokerEpoch = ((BrokerRegistrationResponseData) response).brokerEpoch();
                    }
                });
                return;
            }
            call(new BrokerHeartbeatRequestData().setBrokerId(brokerId).setBrokerEpoch(brokerEpoch)
                    .setCurrentMetadataOffset(appliedOffset).setWantFence(false).setWantShutDown(false))
                    .whenComplete((response, error) -> {
                        if (error == null && current == this && ((BrokerHeartbeatResponseData) response).errorCode()
                                == Errors.STALE_BROKER_EPOCH.code()) {
                            brokerEpoch = -1;
                        }
                    });
        }

        CompletableFuture<AlterPartitionResponseData> alterPartition(AlterPartitionRequestData request) {
            return call(request).thenApply(AlterPartitionResponseData.class::cast);
        }

        void onReply(SimMessage.ControllerReply reply) {
            CompletableFuture<Object> call = calls.remove(reply.callId());
            if (call == null) {
                return;
            }
            if (reply.error() != Errors.NONE) {
                call.completeExceptionally(reply.error().exception());
            } else {
                call.complete(reply.response());
            }
        }

        // ---- metadata ----

        void onMetadata(SimMessage.MetadataBatches answer) {
            for (SimMessage.Batch batch : answer.batches()) {
                if (batch.offset() != appliedOffset + 1) {
                    continue;
                }
                MetadataDelta delta = new MetadataDelta(image);
                delta.replayAll(batch.records());
                image = delta.apply(batch.offset());
                appliedOffset = batch.offset();
                if (replicaManager != null) {
                    replicaManager.onMetadataUpdate(delta, image);
                    checkOpenedLogs();
                }
            }
            // As the broker: the replica manager starts once the image has caught up with the quorum.
            if (replicaManager == null && appliedOffset >= answer.committedEnd() && this == current) {
                replicaManager = new ReplicaManager(brokerId, logs, CONFIG_RESOLVER,
                        new Replication(sim.scheduler().time(), REPLICA_LAG_TIME_MAX_MS, this::alterPartition,
                                () -> brokerEpoch, new Following(this), this::mayJoinIsr));
                replicaManager.start(image);
                checkOpenedLogs();
            }
        }

        boolean mayJoinIsr(int replicaId, long replicaEpoch) {
            BrokerRegistration broker = image.brokers().get(replicaId);
            return broker != null && !broker.fenced() && !broker.inControlledShutdown()
                    && (replicaEpoch < 0 || broker.brokerEpoch() == replicaEpoch);
        }

        /** A log opened in this incarnation must hold what the broker wrote before it crashed. */
        void checkOpenedLogs() {
            for (Map.Entry<TopicPartition, Partition> e : replicaManager.partitions().entrySet()) {
                if (checkedViews.add(e.getKey())) {
                    view(e.getKey()).verifyRecovered(e.getValue().replicaLog());
                }
            }
        }

        // ---- messages ----

        void onMessage(int source, SimMessage message) {
            if (message instanceof SimMessage.MetadataBatches m) {
                onMetadata(m);
            } else if (message instanceof SimMessage.ControllerReply m) {
                onReply(m);
            } else if (message instanceof SimMessage.Fetch m) {
                sim.send(brokerId, source, new SimMessage.FetchAnswer(m.roundId(),
                        LeaderFetchServing.serve(replicaManager == null ? Map.of() : replicaManager.partitions(),
                                m.request(), nowMs())));
            } else if (message instanceof SimMessage.FetchAnswer m) {
                FetcherSlot slot = fetchers.get(source);
                if (slot != null) {
                    slot.onAnswer(m);
                }
            } else if (message instanceof SimMessage.Produce m) {
                onProduce(source, m);
            } else {
                throw new IllegalArgumentException("Unexpected message: " + message);
            }
        }

        // ---- leader side ----

        void onProduce(int source, SimMessage.Produce produce) {
            Partition p = replicaManager == null ? null : replicaManager.partitions().get(produce.tp());
            if (p == null || !p.isLeader()) {
                sim.send(brokerId, source, new SimMessage.ProduceAnswer(produce.produceId(), -1,
                        Errors.NOT_LEADER_OR_FOLLOWER));
                return;
            }
            LogAppendResult appended;
            try {
                appended = p.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(nowMs(), null,
                        produce.value().getBytes(StandardCharsets.UTF_8))), (short) -1, p.minInsyncReplicas());
            } catch (ApiException e) {
                sim.send(brokerId, source, new SimMessage.ProduceAnswer(produce.produceId(), -1, Errors.forException(e)));
                return;
            }
            view(produce.tp()).syncAppended(p.replicaLog());
            long offset = appended.lastOffset();
            if (sim.bug() == InjectedBug.HW_IGNORES_ISR) {
                p.replicaLog().updateHighWatermark(p.replicaLog().logEndOffset());
            }
            CompletableFuture<Void> durable = sim.bug() == InjectedBug.ACK_ON_APPEND
                    ? CompletableFuture.completedFuture(null) : p.awaitHighWatermark(offset + 1);
            durable.whenComplete((ignored, error) -> {
                if (current == this) {
                    sim.send(brokerId, source, new SimMessage.ProduceAnswer(produce.produceId(),
                            error == null ? offset : -1, error == null ? Errors.NONE : Errors.forException(error)));
                }
            });
        }

        // ---- follower side ----

        FetcherSlot fetcherFor(int leaderId) {
            return fetchers.computeIfAbsent(leaderId, id -> new FetcherSlot(this, id));
        }
    }

    /** The fetcher of the partitions this broker follows from one leader, and its round in flight. */
    private final class FetcherSlot {
        final Incarnation inc;
        final int leaderId;
        final ReplicaFetcher fetcher;
        final Set<TopicPartition> followed = new HashSet<>();
        SimFetcherAccess.Round inflight;
        long inflightRoundId = -1;
        long inflightSinceMs;

        FetcherSlot(Incarnation inc, int leaderId) {
            this.inc = inc;
            this.leaderId = leaderId;
            this.fetcher = new ReplicaFetcher(new Endpoint(leaderId),
                    new FetcherConfig(brokerId, FETCH_MAX_BYTES, 4 * FETCH_MAX_BYTES, 0, 1, 20, 100),
                    () -> inc.brokerEpoch, sim.scheduler().time());
        }

        void maybeFetch(long nowMs) {
            if (followed.isEmpty()) {
                return;
            }
            if (inflight != null) {
                if (nowMs - inflightSinceMs < FETCH_TIMEOUT_MS) {
                    return;
                }
                inflight = null; // timed out: an answer still on its way is dropped
            }
            if (SimFetcherAccess.anyResetting(fetcher, followed)) {
                SimFetcherAccess.doWork(fetcher);
                return;
            }
            SimFetcherAccess.Round round = SimFetcherAccess.buildRound(fetcher);
            if (round == null) {
                return;
            }
            inflight = round;
            inflightRoundId = inc.nextRoundId++;
            inflightSinceMs = nowMs;
            sim.send(brokerId, leaderId, new SimMessage.Fetch(inflightRoundId, round.request()));
        }

        void onAnswer(SimMessage.FetchAnswer answer) {
            if (inflight == null || answer.roundId() != inflightRoundId) {
                return;
            }
            SimFetcherAccess.Round round = inflight;
            inflight = null;
            SimFetcherAccess.processResponse(fetcher, round, answer.response());
        }
    }

    /**
     * The leader as the fetcher's blocking calls see it: only ListOffsets (a reset after
     * OFFSET_OUT_OF_RANGE) is asked through it, answered at once by the leader if the network
     * between the two is up. A stopgap for a rare path: it skips the network's delay and loss.
     * Fetches go through {@link FetcherSlot}, never through here.
     */
    private final class Endpoint implements LeaderEndpoint {
        private final int leaderId;

        Endpoint(int leaderId) {
            this.leaderId = leaderId;
        }

        @Override
        public int brokerId() {
            return leaderId;
        }

        @Override
        public CompletableFuture<FetchResponseData> fetch(FetchRequestData request) {
            return CompletableFuture.failedFuture(new NetworkException("fetches go through the simulated network"));
        }

        @Override
        public CompletableFuture<ListOffsetsResponseData> listOffsets(ListOffsetsRequestData request) {
            if (!sim.reachable(SimBroker.this.brokerId, leaderId) || sim.broker(leaderId).isPaused()) {
                return CompletableFuture.failedFuture(new NetworkException("leader unreachable"));
            }
            return CompletableFuture.completedFuture(sim.broker(leaderId).listOffsets(request));
        }

        @Override
        public void close() {
        }
    }

    /** Starts and stops following partitions, as the broker's fetcher manager does. */
    private final class Following implements FollowerFetching {
        private final Incarnation inc;

        Following(Incarnation inc) {
            this.inc = inc;
        }

        @Override
        public void follow(Partition partition, int leaderId, int leaderEpoch) {
            unfollow(partition.topicPartition());
            FetcherSlot slot = inc.fetcherFor(leaderId);
            slot.fetcher.addPartition(new SimFollowerReplica(partition, view(partition.topicPartition()), sim.bug()),
                    leaderEpoch);
            slot.followed.add(partition.topicPartition());
        }

        @Override
        public void unfollow(TopicPartition tp) {
            for (FetcherSlot slot : inc.fetchers.values()) {
                if (slot.followed.remove(tp)) {
                    slot.fetcher.removePartition(tp);
                }
            }
        }
    }
}
