package io.strand.broker.fetcher;

import io.strand.broker.fetcher.PartitionFetchState.Phase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ReplicaState;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the partitions this broker follows from one leader, as Kafka's replica fetcher thread does:
 * one Fetch at a time for every ready partition, each at its log end with the leader epoch it follows
 * and its last epoch ({@code last_fetched_epoch}), so the leader can tell where the logs diverge.
 * <ul>
 *   <li>Records: appended as follower, then the high watermark is set to min(leader's, own log end) and
 *       the log start moved up to the leader's.</li>
 *   <li>{@code diverging_epoch}: the log is cut by {@link TruncationRules#onDivergingEpoch} and fetched
 *       again from its new end.</li>
 *   <li>OFFSET_OUT_OF_RANGE: the leader's log start and end are asked with ListOffsets and the log is
 *       cut or restarted by {@link TruncationRules#onOutOfRange}.</li>
 *   <li>FENCED_LEADER_EPOCH (the leader knows a newer epoch): the partition waits for the manager's
 *       next {@code follow}. NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH (the leader has not yet seen
 *       this epoch) and other errors: fetched again after {@code replica.fetch.backoff.ms}, as in Kafka.</li>
 *   <li>A failed request (connection lost, timeout): every partition of it waits the backoff.</li>
 * </ul>
 * Fetches are sessionless (full requests); incremental fetch sessions are still to come.
 *
 * <p>Threads: its own thread, {@code strand-replica-fetcher-<leaderId>}, runs {@link #doWork} in a
 * loop. The partition states are guarded by one lock, held while a request is built and while an
 * answer is applied (appends and truncations included) but not while waiting for the leader; so once
 * {@link #removePartition} returns this fetcher touches that partition no more. Tests call
 * {@link #doWork} (or its halves) directly instead of starting the thread.
 */
public final class ReplicaFetcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);

    private final LeaderEndpoint leader;
    private final FetcherConfig config;
    private final LongSupplier brokerEpoch;
    private final Time time;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}; iteration order is fetch order, a partition that got data moves last. */
    private final LinkedHashMap<TopicPartition, PartitionFetchState> partitions = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: a partition was added since the thread last waited, so it must not wait. */
    private boolean added;
    private final FetchAnswerApplier applier;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param brokerEpoch this broker's current epoch from its registration, sent in {@code replica_state}
     */
    public ReplicaFetcher(LeaderEndpoint leader, FetcherConfig config, LongSupplier brokerEpoch, Time time) {
        this(leader, config, brokerEpoch, time, 0);
    }

    /**
     * The {@code fetcherId}-th of the fetchers sharing one leader's partitions; its thread is
     * {@code strand-replica-fetcher-<leaderId>}, with {@code -<fetcherId>} after it for every fetcher but the first.
     */
    public ReplicaFetcher(LeaderEndpoint leader, FetcherConfig config, LongSupplier brokerEpoch, Time time,
                          int fetcherId) {
        this.leader = leader;
        this.config = config;
        this.brokerEpoch = brokerEpoch;
        this.time = time;
        this.applier = new FetchAnswerApplier(leader.brokerId(), config.backoffMs(), time);
        this.thread = new Thread(this::run, "strand-replica-fetcher-" + leader.brokerId()
                + (fetcherId == 0 ? "" : "-" + fetcherId));
        this.thread.setDaemon(true);
    }

    public int leaderId() {
        return leader.brokerId();
    }

    public void start() {
        thread.start();
    }

    /** Follows {@code replica} at {@code leaderEpoch} from its log end, replacing any earlier state of it. */
    public void addPartition(FollowerReplica replica, int leaderEpoch) {
        lock.lock();
        try {
            partitions.put(replica.topicPartition(), new PartitionFetchState(replica, leaderEpoch));
            added = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops following {@code tp}; on return no call reaches its replica from this fetcher. */
    public boolean removePartition(TopicPartition tp) {
        lock.lock();
        try {
            return partitions.remove(tp) != null;
        } finally {
            lock.unlock();
        }
    }

    public int partitionCount() {
        lock.lock();
        try {
            return partitions.size();
        } finally {
            lock.unlock();
        }
    }

    /** The leader epoch {@code tp} is followed at and its phase, for tests and logs; null if not followed. */
    PartitionFetchState state(TopicPartition tp) {
        lock.lock();
        try {
            return partitions.get(tp);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread (waiting for it) and closes the connection; idempotent. */
    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        // Fails the request in flight, so the thread stops waiting for it. The thread is never
        // interrupted: an interrupt during a log write would close the log's file channel.
        leader.close();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            long waitMs;
            try {
                waitMs = doWork();
            } catch (RuntimeException e) {
                LOG.error("Replica fetcher for leader {} failed a round; backing off", leader.brokerId(), e);
                waitMs = config.backoffMs();
            }
            if (waitMs > 0) {
                lock.lock();
                try {
                    if (running && !added) {
                        changed.await(waitMs, TimeUnit.MILLISECONDS);
                    }
                    added = false;
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * One round: resets the offsets of partitions the leader found out of range, then one Fetch for
     * the ready partitions and its answer applied. Returns how long to wait before the next round: 0
     * after a fetch, else until the first delayed partition is ready (at most the backoff).
     */
    long doWork() {
        resetOffsets();
        FetchRound round = buildRound();
        if (round == null) {
            return idleWaitMs();
        }
        FetchResponseData response;
        try {
            response = await(leader.fetch(round.request()));
        } catch (RuntimeException e) {
            if (running) {
                LOG.warn("Fetch from leader {} failed: {}", leader.brokerId(), e.toString());
            }
            delay(round.sent().values().stream().map(Sent::state).toList());
            return 0;
        }
        processResponse(round, response);
        return 0;
    }

    /** A Fetch sent and, per partition, the state and offset it was sent for. */
    record FetchRound(FetchRequestData request, Map<TopicPartition, Sent> sent) {
    }

    record Sent(PartitionFetchState state, long fetchOffset) {
    }

    /** The Fetch for every partition ready now, or null if none is. */
    FetchRound buildRound() {
        lock.lock();
        try {
            long nowMs = time.milliseconds();
            Map<String, FetchTopic> topics = new LinkedHashMap<>();
            Map<TopicPartition, Sent> sent = new HashMap<>();
            for (PartitionFetchState state : partitions.values()) {
                if (!state.isReady(nowMs, Phase.FETCHING)) {
                    continue;
                }
                FollowerReplica replica = state.replica();
                TopicPartition tp = replica.topicPartition();
                topics.computeIfAbsent(tp.topic(), name -> new FetchTopic().setTopic(name)
                                .setTopicId(replica.topicId()))
                        .partitions().add(new FetchPartition()
                                .setPartition(tp.partition())
                                .setCurrentLeaderEpoch(state.leaderEpoch())
                                .setFetchOffset(state.fetchOffset())
                                .setLastFetchedEpoch(replica.latestEpoch().orElse(-1))
                                .setLogStartOffset(replica.logStartOffset())
                                .setPartitionMaxBytes(config.fetchMaxBytes()));
                sent.put(tp, new Sent(state, state.fetchOffset()));
            }
            if (sent.isEmpty()) {
                return null;
            }
            FetchRequestData request = new FetchRequestData()
                    .setReplicaId(FetchRequest.CONSUMER_REPLICA_ID)
                    .setReplicaState(new ReplicaState()
                            .setReplicaId(config.replicaId())
                            .setReplicaEpoch(brokerEpoch.getAsLong()))
                    .setMaxWaitMs(config.maxWaitMs())
                    .setMinBytes(config.minBytes())
                    .setMaxBytes(config.responseMaxBytes())
                    .setIsolationLevel((byte) 0)
                    // Sessionless: session id 0 with the final epoch asks for a full answer every time.
                    .setSessionId(0)
                    .setSessionEpoch(-1)
                    .setTopics(new ArrayList<>(topics.values()));
            return new FetchRound(request, sent);
        } finally {
            lock.unlock();
        }
    }

    /** Applies the leader's answer to the partitions still followed as they were when it was sent. */
    void processResponse(FetchRound round, FetchResponseData response) {
        lock.lock();
        try {
            Errors topError = Errors.forCode(response.errorCode());
            if (topError != Errors.NONE) {
                LOG.warn("Fetch from leader {} answered {}", leader.brokerId(), topError);
                delay(round.sent().values().stream().map(Sent::state).toList());
                return;
            }
            Map<Uuid, String> namesById = new HashMap<>();
            for (Sent sent : round.sent().values()) {
                namesById.put(sent.state().replica().topicId(), sent.state().replica().topicPartition().topic());
            }
            for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
                String name = Uuid.ZERO_UUID.equals(topic.topicId()) ? topic.topic() : namesById.get(topic.topicId());
                if (name == null) {
                    continue;
                }
                for (FetchResponseData.PartitionData data : topic.partitions()) {
                    TopicPartition tp = new TopicPartition(name, data.partitionIndex());
                    Sent sent = round.sent().get(tp);
                    PartitionFetchState current = partitions.get(tp);
                    if (sent == null || current != sent.state() || current.phase() != Phase.FETCHING
                            || current.fetchOffset() != sent.fetchOffset()) {
                        continue;
                    }
                    if (applier.apply(current, data)) {
                        // Fairness: a partition that got records goes last in the next request.
                        partitions.remove(tp);
                        partitions.put(tp, current);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Asks the leader's log start and end for each partition waiting for them, then cuts or restarts its log. */
    private void resetOffsets() {
        List<PartitionFetchState> waiting = new ArrayList<>();
        lock.lock();
        try {
            long nowMs = time.milliseconds();
            for (PartitionFetchState state : partitions.values()) {
                if (state.isReady(nowMs, Phase.RESETTING)) {
                    waiting.add(state);
                }
            }
        } finally {
            lock.unlock();
        }
        for (PartitionFetchState state : waiting) {
            long leaderEnd;
            long leaderStart;
            try {
                leaderEnd = listOffset(state, ListOffsetsRequest.LATEST_TIMESTAMP);
                leaderStart = listOffset(state, ListOffsetsRequest.EARLIEST_TIMESTAMP);
            } catch (RuntimeException e) {
                LOG.warn("Partition {}: asking leader {} for its offsets failed: {}",
                        state.replica().topicPartition(), leader.brokerId(), e.toString());
                delay(List.of(state));
                continue;
            }
            applyReset(state, leaderStart, leaderEnd);
        }
    }

    private void applyReset(PartitionFetchState state, long leaderStart, long leaderEnd) {
        lock.lock();
        try {
            FollowerReplica replica = state.replica();
            if (partitions.get(replica.topicPartition()) != state || state.phase() != Phase.RESETTING) {
                return;
            }
            long logEnd = replica.logEndOffset();
            TruncationRules.Reset reset = TruncationRules.onOutOfRange(logEnd, leaderStart, leaderEnd);
            LOG.info("Partition {}: log ends at {}, leader {} has [{}, {}): {} {}", replica.topicPartition(), logEnd,
                    leader.brokerId(), leaderStart, leaderEnd, reset.action(), reset.offset());
            switch (reset.action()) {
                case TRUNCATE_TO -> replica.truncateTo(reset.offset());
                case START_AT -> replica.truncateFullyAndStartAt(reset.offset());
                case KEEP -> { }
            }
            state.moveTo(Phase.FETCHING);
            state.fetchFromLogEnd();
        } catch (RuntimeException e) {
            LOG.error("Partition {}: resetting the log failed", state.replica().topicPartition(), e);
            state.delayUntil(time.milliseconds() + config.backoffMs());
        } finally {
            lock.unlock();
        }
    }

    private long listOffset(PartitionFetchState state, long timestamp) {
        TopicPartition tp = state.replica().topicPartition();
        ListOffsetsResponseData response = await(leader.listOffsets(
                LeaderOffsets.request(config.replicaId(), tp, state.leaderEpoch(), timestamp)));
        return LeaderOffsets.offsetIn(response, tp, timestamp);
    }

    /** Delays the given states; a state replaced meanwhile is delayed to no effect. */
    private void delay(List<PartitionFetchState> states) {
        lock.lock();
        try {
            long untilMs = time.milliseconds() + config.backoffMs();
            for (PartitionFetchState state : states) {
                state.delayUntil(untilMs);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Until the first delayed partition is ready; the backoff when none is waiting for time. */
    private long idleWaitMs() {
        lock.lock();
        try {
            long nowMs = time.milliseconds();
            long waitMs = config.backoffMs();
            for (PartitionFetchState state : partitions.values()) {
                if (state.phase() != Phase.FENCED) {
                    waitMs = Math.min(waitMs, state.delayedUntilMs() - nowMs);
                }
            }
            return Math.max(1, waitMs);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the leader's answer, bounded in case the endpoint's own timeout never fires. */
    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(config.requestTimeoutMs() + (long) config.maxWaitMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new org.apache.kafka.common.errors.TimeoutException("no answer from leader " + leader.brokerId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for leader " + leader.brokerId(), e);
        }
    }
}
