package io.strand.broker.replica;

import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.log.AppendOrigin;
import io.strand.storage.log.LogAppendResult;
import io.strand.storage.log.LogReadResult;
import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.ReplicaLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition as this broker holds it: its log, whether this broker leads it, the leader epoch,
 * the ISR, and — as leader — each follower's position and the high watermark derived from them.
 *
 * <p><b>High watermark.</b> As leader, the minimum log end offset over the maximal ISR (the ISR, or
 * during a pending expansion the ISR with the joining follower; the leader's own log end counts) and
 * over the followers outside it that caught up within {@code replica.lag.time.max.ms} and may join
 * (so that one about to join is not outrun), never moving back. A follower that has not fetched
 * since this broker became leader has an unknown log end and holds the high watermark where it is.
 * With no follower at all, the high watermark simply follows the log end after each append: a
 * single-replica partition pays for nothing else.
 *
 * <p><b>ISR changes</b> (Kafka's semantics, KIP-497/KIP-841/KIP-903): a follower whose log end
 * reaches the high watermark and the start of the leader's epoch joins; an ISR follower that has
 * not caught up with the leader's log end for {@code replica.lag.time.max.ms} leaves
 * ({@link #maybeShrinkIsr}, called periodically). Each change goes to the controller as an
 * AlterPartition request; one is in flight at a time; the ISR in use becomes the new one only when
 * the controller accepts it (or a newer partition epoch arrives in the metadata). A change the
 * controller rejected as stale ({@code INVALID_UPDATE_VERSION}, {@code FENCED_LEADER_EPOCH},
 * unknown partition) stays pending, blocking further changes, until the metadata brings the
 * partition's new state; one not attempted or naming an ineligible replica is dropped; any other
 * failure drops it too, and the next fetch or check proposes again.
 *
 * <p><b>Threads.</b> Leadership and the effective config are written by the metadata publisher
 * thread (and the ISR by an AlterPartition answer) and read by handlers through volatiles. Appends
 * are serialized by the log itself; reads take no lock. Follower state, the pending ISR change, the
 * high watermark's advance and its waiters are guarded by this object's monitor, held only for
 * in-memory updates — never across I/O, never while completing a future or sending a request.
 */
public final class Partition {

    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final int localBrokerId;
    /** A {@link PartitionLog} on a broker; a log in memory in the replication simulation. */
    private final ReplicaLog log;
    private final Replication replication;
    /**
     * Wakes what waits on this partition's data (fetches) after the high watermark moved, and with it
     * possibly the last stable offset that read_committed fetches wait for.
     */
    private final Runnable onHighWatermarkAdvanced;
    private volatile PartitionState state;
    private volatile EffectiveLogConfig config;

    // Leader state: guarded by this.
    private final Map<Integer, FollowerReplica> followers = new HashMap<>();
    /** The ISR proposed to the controller and not yet in use; null when none. */
    private volatile List<Integer> pendingIsr;
    /** The AlterPartition request awaiting its answer (compared by identity); null when none. */
    private AlterPartitionRequestData inflight;
    /** The log end offset when this broker became leader in the current epoch; -1 as follower. */
    private long leaderEpochStartOffset = -1L;
    /** Offset → futures completed once the high watermark reaches it. */
    private final NavigableMap<Long, List<CompletableFuture<Void>>> highWatermarkWaiters = new TreeMap<>();

    /**
     * Leadership as of the latest metadata image, or of the controller's answer to an ISR change.
     * {@code partitionEpoch} orders ISR versions: a state with a lower one is stale.
     */
    record PartitionState(int leaderId, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
                          int partitionEpoch) {
        PartitionState {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }
    }

    Partition(TopicPartition topicPartition, Uuid topicId, int localBrokerId, ReplicaLog log, PartitionState state,
              EffectiveLogConfig config, Replication replication, Runnable onHighWatermarkAdvanced) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.state = state;
        this.config = config;
        this.replication = replication;
        this.onHighWatermarkAdvanced = onHighWatermarkAdvanced;
        // After a crash the checkpointed high watermark may trail what recovery kept.
        maybeIncrementHighWatermark(false);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    /**
     * The partition's file log, for what only it offers (timestamp lookups, DeleteRecords, its config).
     *
     * @throws IllegalStateException if the partition runs over another {@link ReplicaLog} (the
     *     replication simulation's in-memory logs, read through {@link #replicaLog()})
     */
    public PartitionLog log() {
        if (log instanceof PartitionLog fileLog) {
            return fileLog;
        }
        throw new IllegalStateException("Partition " + topicPartition + " has no file log: " + log);
    }

    /** The partition's log as the replication layer uses it. */
    public ReplicaLog replicaLog() {
        return log;
    }

    public boolean isLeader() {
        return state.leaderId() == localBrokerId;
    }

    public int leaderId() {
        return state.leaderId();
    }

    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    public int partitionEpoch() {
        return state.partitionEpoch();
    }

    /** The replica set as of the latest metadata. */
    public List<Integer> replicas() {
        return state.replicas();
    }

    /** The ISR in use: as the controller last accepted it. */
    public List<Integer> isr() {
        return state.isr();
    }

    /** The ISR in use plus a follower whose joining is pending: whose positions bound the high watermark. */
    public List<Integer> maximalIsr() {
        return maximalIsr(state.isr(), pendingIsr);
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /** The effective topic config as of the latest applied change. */
    public EffectiveLogConfig config() {
        return config;
    }

    public int minInsyncReplicas() {
        return config.minInsyncReplicas();
    }

    /** Applies a changed topic config (or broker default under it) to this partition and its log. */
    void updateConfig(EffectiveLogConfig newConfig) {
        this.config = newConfig;
        log.updateConfig(newConfig.log());
    }

    // ---------------------------------------------------------------- role changes (metadata thread)

    /**
     * Makes this broker the leader as {@code newState} says. In a new leader epoch every follower's
     * state starts over (ISR members count as caught up now, so they have the lag time to fetch) and
     * the epoch starts at the log end; in the same epoch only the replica set and ISR are updated.
     */
    void makeLeader(PartitionState newState, long nowMs) {
        boolean newEpoch;
        long epochStartOffset;
        synchronized (this) {
            PartitionState before = state;
            newEpoch = before.leaderId() != localBrokerId || before.leaderEpoch() != newState.leaderEpoch()
                    || leaderEpochStartOffset < 0;
            state = newState;
            pendingIsr = null;
            inflight = null;
            if (newEpoch) {
                followers.clear();
                leaderEpochStartOffset = log.logEndOffset();
            }
            epochStartOffset = leaderEpochStartOffset;
            for (int replica : newState.replicas()) {
                if (replica != localBrokerId && !followers.containsKey(replica)) {
                    followers.put(replica, new FollowerReplica(replica, newState.isr().contains(replica) ? nowMs : 0L));
                }
            }
            followers.keySet().retainAll(newState.replicas());
        }
        if (newEpoch) {
            // Outside the lock: the log may write its epoch checkpoint. An append of the new epoch
            // that came first recorded the same start offset.
            assignEpochStartOffset(newState.leaderEpoch(), epochStartOffset);
        }
        maybeIncrementHighWatermark(true);
    }

    /**
     * Makes this broker a follower (or leaves the partition leaderless here): produce and consumer
     * fetches get NOT_LEADER_OR_FOLLOWER from now on, and whatever waits for the high watermark fails
     * with it.
     */
    void makeFollower(PartitionState newState) {
        List<CompletableFuture<Void>> waiting;
        synchronized (this) {
            state = newState;
            resetLeaderState();
            waiting = drainWaiters();
        }
        failWaiters(waiting);
    }

    /**
     * A metadata change in the same leader epoch and role. An ISR of a newer partition epoch replaces
     * the one in use and ends any pending change; one no newer than the ISR in use (which an
     * AlterPartition answer may have set first) leaves it as it is.
     */
    void updateState(PartitionState newState) {
        synchronized (this) {
            PartitionState current = state;
            if (newState.partitionEpoch() < current.partitionEpoch()) {
                return;
            }
            state = newState;
            if (newState.partitionEpoch() > current.partitionEpoch()) {
                if (newState.leaderId() == localBrokerId) {
                    // This leader's accepted change, come in the metadata before the controller's answer
                    // (which is then ignored), or the controller's own (a fenced follower removed).
                    countIsrChange(current.isr(), newState.isr());
                }
                pendingIsr = null;
                inflight = null;
            }
            if (newState.leaderId() == localBrokerId) {
                for (int replica : newState.replicas()) {
                    if (replica != localBrokerId) {
                        followers.putIfAbsent(replica, new FollowerReplica(replica, 0L));
                    }
                }
                followers.keySet().retainAll(newState.replicas());
            }
        }
        maybeIncrementHighWatermark(true);
    }

    /** The partition leaves this broker: whatever waits on it fails. */
    void onRemoved() {
        List<CompletableFuture<Void>> waiting;
        synchronized (this) {
            resetLeaderState();
            waiting = drainWaiters();
        }
        failWaiters(waiting);
    }

    private void resetLeaderState() {
        followers.clear();
        pendingIsr = null;
        inflight = null;
        leaderEpochStartOffset = -1L;
    }

    /**
     * Records in the log that {@code leaderEpoch} starts at {@code startOffset}, so that
     * OffsetForLeaderEpoch and a follower's divergence check see the epoch before its first batch.
     * An append of the new epoch that came first has recorded it at the same offset already. A log
     * whose epochs are ahead of the metadata's (it cannot happen unless a log was copied in by hand)
     * is left as it is, with a warning: refusing to lead would leave the partition without a leader.
     */
    private void assignEpochStartOffset(int leaderEpoch, long startOffset) {
        if (leaderEpoch <= log.latestEpoch()) {
            if (leaderEpoch < log.latestEpoch()) {
                LOG.warn("Partition {} leads in epoch {} but its log already has epoch {}", topicPartition,
                        leaderEpoch, log.latestEpoch());
            }
            return;
        }
        try {
            log.assignEpochStartOffset(leaderEpoch, startOffset);
        } catch (IllegalArgumentException e) {
            LOG.warn("Partition {} could not record leader epoch {} at offset {}: {}", topicPartition, leaderEpoch,
                    startOffset, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- leader: produce

    /**
     * Appends a producer's records as leader.
     *
     * @param requiredAcks -1 (all), 0 or 1; with -1 the ISR must hold at least min.insync.replicas
     */
    public LogAppendResult appendAsLeader(MemoryRecords records, short requiredAcks, int minInsyncReplicas) {
        PartitionState current = state;
        if (current.leaderId() != localBrokerId) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " does not lead " + topicPartition);
        }
        if (requiredAcks == -1 && current.isr().size() < minInsyncReplicas) {
            throw new NotEnoughReplicasException("ISR of " + topicPartition + " has " + current.isr().size()
                    + " replicas, min.insync.replicas=" + minInsyncReplicas);
        }
        LogAppendResult result = log.appendAsLeader(records, current.leaderEpoch());
        maybeIncrementHighWatermark(false);
        return result;
    }

    /**
     * Writes a transaction marker (WriteTxnMarkers) as leader, stamped with the current leader epoch, and
     * moves the high watermark as an append does: the caller wakes what waits on the partition and, with
     * followers, waits for the marker to be replicated (markers are written with acks=all). The ISR must
     * hold at least min.insync.replicas, as for an acks=all produce.
     *
     * @param transactionVersion the coordinator's transaction version (0 or 1: legacy; 2: every marker
     *     bumps the producer epoch), see {@link PartitionLog#appendMarker(long, short, int, boolean, int, short)}
     * @return the marker's offset as first and last offset
     * @throws NotLeaderOrFollowerException if this broker does not lead the partition
     * @throws NotEnoughReplicasException   if the ISR is smaller than min.insync.replicas
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException if the producer epoch is too old
     * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException if the coordinator epoch is older
     *     than the one of the producer's last marker
     * @throws org.apache.kafka.common.errors.KafkaStorageException if the write fails
     */
    public LogAppendResult appendMarkerAsLeader(long producerId, short producerEpoch, int coordinatorEpoch,
                                                boolean commit, short transactionVersion) {
        int leaderEpoch = checkLeaderForAcksAll(config.minInsyncReplicas());
        LogAppendResult result = log().appendMarker(producerId, producerEpoch, coordinatorEpoch, commit,
                leaderEpoch, transactionVersion);
        maybeIncrementHighWatermark(false);
        return result;
    }

    /**
     * Appends a coordinator's batch to its own partition as leader with acks=all (the ISR must hold
     * {@code minInsyncReplicas}), as {@link AppendOrigin#COORDINATOR}: a transactional batch written on a
     * producer's behalf has its producer epoch checked, not its sequence. Needs the file log (coordinators
     * run over it).
     */
    public LogAppendResult appendAsCoordinator(MemoryRecords records, int minInsyncReplicas) {
        int leaderEpoch = checkLeaderForAcksAll(minInsyncReplicas);
        LogAppendResult result = log().appendAsLeader(records, leaderEpoch, AppendOrigin.COORDINATOR);
        maybeIncrementHighWatermark(false);
        return result;
    }

    /**
     * Writes a commit or abort marker of the producer to a coordinator's own partition as leader with
     * acks=all, with the log's marker checks ({@link io.strand.storage.log.PartitionLog#appendMarker}).
     */
    public LogAppendResult appendCoordinatorMarker(long producerId, short producerEpoch, int coordinatorEpoch,
                                                   boolean commit, int minInsyncReplicas) {
        int leaderEpoch = checkLeaderForAcksAll(minInsyncReplicas);
        LogAppendResult result = log().appendMarker(producerId, producerEpoch, coordinatorEpoch, commit, leaderEpoch);
        maybeIncrementHighWatermark(false);
        return result;
    }

    /** The leader epoch to write at, if this broker leads with enough in-sync replicas for acks=all. */
    private int checkLeaderForAcksAll(int minInsyncReplicas) {
        PartitionState current = state;
        if (current.leaderId() != localBrokerId) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " does not lead " + topicPartition);
        }
        if (current.isr().size() < minInsyncReplicas) {
            throw new NotEnoughReplicasException("ISR of " + topicPartition + " has " + current.isr().size()
                    + " replicas, min.insync.replicas=" + minInsyncReplicas);
        }
        return current.leaderEpoch();
    }

    /**
     * The last stable offset (see {@link PartitionLog#lastStableOffset()}): what a read_committed consumer
     * reads up to and every Fetch answers as {@code last_stable_offset}. A log without transactions (the
     * replication simulation's in-memory logs) answers its high watermark. Lock-free, allocation-free.
     */
    public long lastStableOffset() {
        return log instanceof PartitionLog fileLog ? fileLog.lastStableOffset() : log.highWatermark();
    }

    /**
     * Completes once the high watermark is at or past {@code offset} (at once if it is already), or
     * fails with {@link NotLeaderOrFollowerException} if this broker stops leading first. The future
     * completes on whichever thread moved the high watermark: keep what depends on it short.
     */
    public CompletableFuture<Void> awaitHighWatermark(long offset) {
        if (log.highWatermark() >= offset) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (this) {
            if (!isLeader()) {
                return CompletableFuture.failedFuture(notLeader());
            }
            if (log.highWatermark() >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> future = new CompletableFuture<>();
            highWatermarkWaiters.computeIfAbsent(offset, k -> new ArrayList<>(1)).add(future);
            return future;
        }
    }

    // ---------------------------------------------------------------- leader: fetch

    /** Reads for a consumer: up to the high watermark. */
    public LogReadResult readForConsumer(long fetchOffset, int maxBytes, boolean minOneBatch) {
        if (!isLeader()) {
            throw notLeader();
        }
        return log.read(fetchOffset, maxBytes, log.highWatermark(), minOneBatch);
    }

    /**
     * Reads for a read_committed consumer: up to {@code lastStableOffset} (taken by the caller from
     * {@link #lastStableOffset()} before the read, so that what it answers as the last stable offset
     * bounds what it returns), never past the high watermark.
     */
    public LogReadResult readCommitted(long fetchOffset, int maxBytes, boolean minOneBatch, long lastStableOffset) {
        if (!isLeader()) {
            throw notLeader();
        }
        return log.read(fetchOffset, maxBytes, Math.min(lastStableOffset, log.highWatermark()), minOneBatch);
    }

    /**
     * Reads for follower {@code replicaId}: up to the log end. Record its position afterwards with
     * {@link #updateFollowerFetchState}.
     *
     * @throws NotLeaderOrFollowerException if this broker does not lead, or the replica is not assigned
     * @throws OffsetOutOfRangeException    if {@code fetchOffset} is outside the log
     */
    public LogReadResult readForFollower(int replicaId, long fetchOffset, int maxBytes, boolean minOneBatch) {
        PartitionState current = state;
        if (current.leaderId() != localBrokerId) {
            throw notLeader();
        }
        if (!current.replicas().contains(replicaId) || replicaId == localBrokerId) {
            throw new NotLeaderOrFollowerException("Replica " + replicaId + " is not a follower of " + topicPartition
                    + ": replicas=" + current.replicas());
        }
        return log.read(fetchOffset, maxBytes, log.logEndOffset(), minOneBatch);
    }

    /**
     * The leader's answer to a follower whose last fetched batch is of {@code lastFetchedEpoch} and
     * that fetches at {@code fetchOffset} (Fetch v12+): the end of the largest epoch the two logs
     * share when the follower's log diverges from this one (it must truncate there), else empty.
     *
     * @throws OffsetOutOfRangeException if the epoch's end is unknown or the offset is below the log start
     */
    public Optional<EpochEndOffset> divergingEpoch(int lastFetchedEpoch, long fetchOffset) {
        EpochEndOffset end = endOffsetForEpoch(lastFetchedEpoch);
        if (end.leaderEpoch() < 0 || end.endOffset() < 0) {
            throw new OffsetOutOfRangeException("The end offset of epoch " + lastFetchedEpoch + " of " + topicPartition
                    + " is unknown");
        }
        if (fetchOffset < log.logStartOffset()) {
            throw new OffsetOutOfRangeException("Offset=" + fetchOffset + " of " + topicPartition
                    + " is below the log start offset=" + log.logStartOffset());
        }
        if (end.leaderEpoch() < lastFetchedEpoch || end.endOffset() < fetchOffset) {
            return Optional.of(end);
        }
        return Optional.empty();
    }

    /**
     * Records a fetch by follower {@code replicaId} at {@code fetchOffset} (its log end) when the
     * leader's log ended at {@code leaderLogEndOffset}; may advance the high watermark (waking what
     * waits for it) and propose the follower's return to the ISR. Does not block.
     *
     * @param brokerEpoch the follower's broker epoch from the request (Fetch v15+), -1 if absent
     */
    public void updateFollowerFetchState(int replicaId, long brokerEpoch, long fetchOffset, long leaderLogEndOffset,
                                         long nowMs) {
        AlterPartitionRequestData proposal = null;
        synchronized (this) {
            if (!isLeader()) {
                return;
            }
            FollowerReplica follower = followers.get(replicaId);
            if (follower == null) {
                return;
            }
            follower.onFetch(fetchOffset, leaderLogEndOffset, brokerEpoch, nowMs);
            if (pendingIsr == null && !state.isr().contains(replicaId)
                    && follower.logEndOffset >= log.highWatermark()
                    && follower.logEndOffset >= leaderEpochStartOffset
                    && replication.isrEligibility().isEligible(replicaId, follower.brokerEpoch)) {
                List<Integer> expanded = new ArrayList<>(state.isr());
                expanded.add(replicaId);
                proposal = propose(expanded);
            }
        }
        maybeIncrementHighWatermark(true);
        send(proposal);
    }

    // ---------------------------------------------------------------- leader: ISR

    /**
     * Proposes to drop from the ISR every follower that has not caught up with the leader's log end
     * within {@code replica.lag.time.max.ms} of {@code nowMs}. Does nothing while a change is pending.
     */
    public void maybeShrinkIsr(long nowMs) {
        AlterPartitionRequestData proposal = null;
        synchronized (this) {
            PartitionState current = state;
            if (current.leaderId() != localBrokerId || pendingIsr != null) {
                return;
            }
            List<Integer> kept = new ArrayList<>(current.isr().size());
            for (int replica : current.isr()) {
                FollowerReplica follower = followers.get(replica);
                if (replica == localBrokerId
                        || follower != null && follower.isCaughtUpSince(nowMs, replication.replicaLagTimeMaxMs())) {
                    kept.add(replica);
                }
            }
            if (kept.size() < current.isr().size()) {
                LOG.info("Shrinking the ISR of {} from {} to {}: the others have not caught up for {} ms",
                        topicPartition, current.isr(), kept, replication.replicaLagTimeMaxMs());
                proposal = propose(kept);
            }
        }
        send(proposal);
    }

    /** Under the lock: makes {@code newIsr} the pending change and builds its request. */
    private AlterPartitionRequestData propose(List<Integer> newIsr) {
        PartitionState current = state;
        long localEpoch = replication.localBrokerEpoch().getAsLong();
        List<AlterPartitionRequestData.BrokerState> withEpochs = new ArrayList<>(newIsr.size());
        for (int replica : newIsr) {
            FollowerReplica follower = followers.get(replica);
            long epoch = replica == localBrokerId ? localEpoch : follower != null ? follower.brokerEpoch : -1L;
            withEpochs.add(new AlterPartitionRequestData.BrokerState().setBrokerId(replica).setBrokerEpoch(epoch));
        }
        AlterPartitionRequestData request = AlterPartitionExchange.request(topicPartition, topicId, localBrokerId,
                localEpoch, current.leaderEpoch(), current.partitionEpoch(), withEpochs);
        pendingIsr = List.copyOf(newIsr);
        inflight = request;
        return request;
    }

    /** Outside the lock: sends a proposal, if any, and handles its answer on whichever thread it comes. */
    private void send(AlterPartitionRequestData proposal) {
        if (proposal == null) {
            return;
        }
        CompletableFuture<AlterPartitionResponseData> answer;
        LOG.debug("Proposing the ISR {} of {} to the controller (leader epoch {}, partition epoch {})",
                proposal.topics().get(0).partitions().get(0).newIsrWithEpochs(), topicPartition,
                proposal.topics().get(0).partitions().get(0).leaderEpoch(),
                proposal.topics().get(0).partitions().get(0).partitionEpoch());
        try {
            answer = replication.alterPartition().apply(proposal);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> onAlterPartitionAnswer(proposal, response, error));
    }

    private void onAlterPartitionAnswer(AlterPartitionRequestData request, AlterPartitionResponseData response,
                                        Throwable error) {
        boolean committed = false;
        synchronized (this) {
            if (inflight != request) {
                return; // a role change or newer metadata superseded it
            }
            inflight = null;
            List<Integer> proposed = pendingIsr;
            if (error != null) {
                LOG.warn("ISR change of {} to {} got no answer; proposing again later", topicPartition, proposed, error);
                pendingIsr = null;
                return;
            }
            AlterPartitionResponseData.PartitionData answer =
                    AlterPartitionExchange.answerFor(response, topicId, topicPartition);
            Errors answerError = Errors.forCode(answer.errorCode());
            switch (AlterPartitionExchange.Outcome.of(answerError)) {
                case COMMIT -> committed = commit(answer);
                case AWAIT_METADATA -> LOG.info("Controller refused the ISR change of {} to {}: {}; "
                        + "waiting for the partition's new state in the metadata", topicPartition, proposed, answerError);
                case DROP -> {
                    LOG.info("Controller refused the ISR change of {} to {}: {}", topicPartition, proposed, answerError);
                    pendingIsr = null;
                }
            }
        }
        if (committed) {
            maybeIncrementHighWatermark(true);
        }
    }

    /** Under the lock: the controller accepted an ISR; use it unless the metadata is already newer. */
    private boolean commit(AlterPartitionResponseData.PartitionData answer) {
        PartitionState current = state;
        if (answer.partitionEpoch() < current.partitionEpoch()) {
            pendingIsr = null;
            return false;
        }
        if (answer.leaderEpoch() != current.leaderEpoch()) {
            return false; // the metadata will bring the new epoch; the change stays pending till then
        }
        state = new PartitionState(current.leaderId(), current.leaderEpoch(), current.replicas(), answer.isr(),
                answer.partitionEpoch());
        pendingIsr = null;
        countIsrChange(current.isr(), answer.isr());
        LOG.info("ISR of {} is now {} (partition epoch {})", topicPartition, answer.isr(), answer.partitionEpoch());
        return true;
    }

    /**
     * Counts a change of the ISR in use while this broker leads, once per new partition epoch: this
     * leader's own change on the controller's answer, or in {@link #updateState} when the metadata
     * brings it first (the answer is then ignored); and the controller's own changes in the same leader
     * epoch (a fenced follower removed, which here usually comes before the leader's lag check would).
     */
    private void countIsrChange(List<Integer> before, List<Integer> after) {
        if (after.size() < before.size()) {
            replication.isrChanges().onShrink();
        } else if (after.size() > before.size()) {
            replication.isrChanges().onExpand();
        }
    }

    // ---------------------------------------------------------------- follower

    /**
     * Appends records fetched from the leader, at the offsets the leader gave them.
     *
     * @throws NotLeaderOrFollowerException if this broker leads the partition
     */
    public LogAppendResult appendRecordsAsFollower(MemoryRecords records) {
        if (isLeader()) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " leads " + topicPartition
                    + ": it takes no records as a follower");
        }
        return log.appendAsFollower(records);
    }

    /** Drops the records at and after {@code offset} (a follower's truncation to the leader's log). */
    public void truncateTo(long offset) {
        log.truncateTo(offset);
    }

    /** Empties the log and restarts it at {@code offset} (a follower that fell behind the leader's log start). */
    public void truncateFullyAndStartAt(long offset) {
        log.truncateFullyAndStartAt(offset);
    }

    /** A follower's high watermark: the leader's, as far as this log has the records. */
    public void updateFollowerHighWatermark(long leaderHighWatermark) {
        if (!isLeader()) {
            log.updateHighWatermark(Math.min(leaderHighWatermark, log.logEndOffset()));
        }
    }

    // ---------------------------------------------------------------- epochs

    /**
     * Checks the epoch a client believes current: older is fenced, newer means this broker has not
     * seen the metadata yet. An absent epoch (-1) is not checked.
     */
    public void checkLeaderEpoch(int currentLeaderEpoch) {
        int epoch = state.leaderEpoch();
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == epoch) {
            return;
        }
        if (currentLeaderEpoch < epoch) {
            throw new FencedLeaderEpochException("Leader epoch " + currentLeaderEpoch + " of " + topicPartition
                    + " is older than the current " + epoch);
        }
        throw new UnknownLeaderEpochException("Leader epoch " + currentLeaderEpoch + " of " + topicPartition
                + " is newer than the known " + epoch);
    }

    /**
     * The end of the largest epoch not above {@code leaderEpoch}. The current epoch counts as begun
     * at this leader's election even before a batch of it was written, so it ends at the log end.
     */
    public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        int current = state.leaderEpoch();
        if (leaderEpoch == current && isLeader()) {
            return new EpochEndOffset(current, log.logEndOffset());
        }
        return log.endOffsetForEpoch(leaderEpoch);
    }

    // ---------------------------------------------------------------- high watermark

    /**
     * Moves the high watermark up to the minimum log end over the maximal ISR, if that is higher,
     * and completes the waiters it reached; {@code notify} also wakes waiting fetches (an append
     * wakes them itself).
     */
    private void maybeIncrementHighWatermark(boolean notify) {
        List<CompletableFuture<Void>> reached;
        synchronized (this) {
            PartitionState current = state;
            if (current.leaderId() != localBrokerId) {
                return;
            }
            long newHighWatermark = log.logEndOffset();
            List<Integer> pending = pendingIsr;
            boolean alone = followers.isEmpty() && pending == null
                    && current.isr().size() == 1 && current.isr().get(0) == localBrokerId;
            if (!alone) {
                List<Integer> maximal = maximalIsr(current.isr(), pending);
                for (int replica : maximal) {
                    if (replica != localBrokerId && !followers.containsKey(replica)) {
                        newHighWatermark = FollowerReplica.UNKNOWN_OFFSET;
                    }
                }
                long nowMs = replication.time().milliseconds();
                for (FollowerReplica follower : followers.values()) {
                    if (follower.logEndOffset < newHighWatermark && (maximal.contains(follower.brokerId)
                            || waitsToJoinIsr(follower, nowMs))) {
                        newHighWatermark = follower.logEndOffset;
                    }
                }
            }
            if (newHighWatermark <= log.highWatermark()) {
                return;
            }
            log.updateHighWatermark(newHighWatermark);
            reached = highWatermarkWaiters.isEmpty() ? null : takeWaitersUpTo(log.highWatermark());
        }
        if (reached != null) {
            for (CompletableFuture<Void> waiter : reached) {
                waiter.complete(null);
            }
        }
        if (notify) {
            onHighWatermarkAdvanced.run();
        }
    }

    /**
     * A follower outside the ISR that has caught up lately and may join it: the high watermark waits
     * for it, or under steady appends it would chase a high watermark that moves with the leader's log
     * end and never reach it to join.
     */
    private boolean waitsToJoinIsr(FollowerReplica follower, long nowMs) {
        return follower.logEndOffset != FollowerReplica.UNKNOWN_OFFSET
                && follower.isCaughtUpSince(nowMs, replication.replicaLagTimeMaxMs())
                && replication.isrEligibility().isEligible(follower.brokerId, follower.brokerEpoch);
    }

    private List<CompletableFuture<Void>> takeWaitersUpTo(long highWatermark) {
        List<CompletableFuture<Void>> reached = new ArrayList<>();
        Iterator<List<CompletableFuture<Void>>> it = highWatermarkWaiters.headMap(highWatermark, true).values().iterator();
        while (it.hasNext()) {
            reached.addAll(it.next());
            it.remove();
        }
        return reached;
    }

    private List<CompletableFuture<Void>> drainWaiters() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        highWatermarkWaiters.values().forEach(all::addAll);
        highWatermarkWaiters.clear();
        return all;
    }

    private void failWaiters(List<CompletableFuture<Void>> waiting) {
        for (CompletableFuture<Void> waiter : waiting) {
            waiter.completeExceptionally(notLeader());
        }
    }

    private static List<Integer> maximalIsr(List<Integer> isr, List<Integer> pending) {
        if (pending == null || isr.containsAll(pending)) {
            return isr;
        }
        List<Integer> union = new ArrayList<>(isr);
        for (int replica : pending) {
            if (!union.contains(replica)) {
                union.add(replica);
            }
        }
        return union;
    }

    private NotLeaderOrFollowerException notLeader() {
        return new NotLeaderOrFollowerException("Broker " + localBrokerId + " does not lead " + topicPartition);
    }
}
