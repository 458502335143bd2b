package io.strand.coordinator.share;

import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * The share-partition states of one {@code __share_group_state} partition, as Kafka's share coordinator
 * shard keeps them. Compute, then apply: each operation checks its key and returns the record to write
 * and its outcome; {@link #replay} is the only way the states change, live and on load.
 *
 * <p>Records: InitializeShareGroupState writes a whole {@code ShareSnapshot} (a new state epoch, a start
 * offset, no batches); WriteShareGroupState a {@code ShareUpdate} with the batches written, or, once
 * {@code share.coordinator.snapshot.update.records.per.snapshot} updates follow the key's snapshot, a new
 * snapshot with everything combined; a read by a leader of a newer epoch records that epoch (older
 * leaders' reads and writes are then fenced: FENCED_LEADER_EPOCH); DeleteShareGroupState a tombstone.
 * Reading or writing a key never initialized is INVALID_REQUEST, as in Kafka 4.3.
 *
 * <p>Not thread-safe: only on the runtime's thread of its partition.
 */
final class ShareCoordinatorShard implements CoordinatorShard<ShareStateRecord> {

    static final String READ_UNINITIALIZED = "Read operation on uninitialized share partition not allowed.";
    static final String WRITE_UNINITIALIZED = "Write operation on uninitialized share partition not allowed.";
    static final String NEGATIVE_PARTITION = "The partition id cannot be a negative number.";

    private final ShareCoordinatorConfig config;
    private final Time time;
    private final BiPredicate<Uuid, Integer> partitionExists;
    private final Map<ShareStateKey, ShareState> states = new HashMap<>();
    /**
     * The highest state epoch any snapshot of a key has carried, which requests are fenced by (as Kafka's
     * {@code stateEpochMap}); the state itself keeps its last snapshot's epoch, -1 included, which reads answer.
     */
    private final Map<ShareStateKey, Integer> highestStateEpochs = new HashMap<>();
    /** The same for leader epochs (Kafka's {@code leaderEpochMap}), of snapshots and updates. */
    private final Map<ShareStateKey, Integer> highestLeaderEpochs = new HashMap<>();

    /** What an operation answers for its key. */
    record Outcome(Errors error, String message) {
        static final Outcome NONE = new Outcome(Errors.NONE, null);

        static Outcome of(Errors error) {
            return new Outcome(error, error.message());
        }
    }

    /** What a read answers: an error, or the key's state. */
    record ReadOutcome(Outcome outcome, ShareState state) {
    }

    /** @param partitionExists whether the metadata knows a topic id's partition (else UNKNOWN_TOPIC_OR_PARTITION) */
    ShareCoordinatorShard(ShareCoordinatorConfig config, Time time, BiPredicate<Uuid, Integer> partitionExists) {
        this.config = config;
        this.time = time;
        this.partitionExists = partitionExists;
    }

    @Override
    public void replay(long offset, ShareStateRecord record) {
        ShareStateKey key = record.key();
        ShareState current = states.get(key);
        if (record instanceof ShareStateRecord.Tombstone) {
            states.remove(key);
            highestStateEpochs.remove(key);
            highestLeaderEpochs.remove(key);
        } else if (record instanceof ShareStateRecord.Snapshot snapshot) {
            ShareState s = snapshot.state();
            highestStateEpochs.merge(key, s.stateEpoch(), Math::max);
            highestLeaderEpochs.merge(key, s.leaderEpoch(), Math::max);
            states.put(key, new ShareState(s.snapshotEpoch(), s.stateEpoch(), s.leaderEpoch(), s.startOffset(),
                    s.deliveryCompleteCount(), s.createTimestamp(), s.writeTimestamp(), s.stateBatches(), 0));
        } else {
            ShareStateRecord.Update update = (ShareStateRecord.Update) record;
            highestLeaderEpochs.merge(key, update.leaderEpoch(), Math::max);
            if (current == null) {
                // An update without its snapshot (the snapshot was cleaned away): it is all there is.
                states.put(key, new ShareState(update.snapshotEpoch(), 0, update.leaderEpoch(), update.startOffset(),
                        update.deliveryCompleteCount(), 0, 0, update.stateBatches(), 0));
            } else {
                ShareState applied = current.apply(update);
                if (update.leaderEpoch() != -1 && update.leaderEpoch() < current.leaderEpoch()) {
                    applied = withLeaderEpoch(applied, current.leaderEpoch());
                }
                states.put(key, applied);
            }
        }
    }

    /** The state of {@code key}, or null (for tests and the summary). */
    ShareState state(ShareStateKey key) {
        return states.get(key);
    }

    /**
     * Checked in Kafka's order: a negative partition, a state epoch older than the highest the key's snapshots
     * carried (FENCED_STATE_EPOCH; -1 is never fenced), a partition the metadata does not have. The new
     * snapshot carries the request's state epoch, -1 included, which reads then answer.
     */
    CoordinatorResult<Outcome, ShareStateRecord> initialize(ShareStateKey key, int stateEpoch, long startOffset) {
        ShareState current = states.get(key);
        Outcome error = key.partition() < 0 ? new Outcome(Errors.INVALID_REQUEST, NEGATIVE_PARTITION)
                : fencedStateEpoch(key, stateEpoch) ? Outcome.of(Errors.FENCED_STATE_EPOCH)
                : keyError(key);
        if (error != null) {
            return CoordinatorResult.response(error);
        }
        long nowMs = time.milliseconds();
        // Leader epoch 0, as Kafka's snapshot of an initialization (the highest one recorded still fences).
        ShareState initialized = new ShareState(current == null ? 0 : current.snapshotEpoch() + 1, stateEpoch,
                0, startOffset, deliveryCompleteCountAt(startOffset), nowMs,
                nowMs, List.of(), 0);
        return CoordinatorResult.of(List.of(new ShareStateRecord.Snapshot(key, initialized)), Outcome.NONE);
    }

    /**
     * The delivery complete count of a state initialized at {@code startOffset}, as Kafka's: -1 (not known) for
     * start offset -1, else 0, so that the lag of a start offset set by AlterShareGroupOffsets is known at once.
     */
    private static int deliveryCompleteCountAt(long startOffset) {
        return startOffset < 0 ? -1 : 0;
    }

    /** The state for a leader of {@code leaderEpoch} (-1: any, never fenced), recording a newer epoch. */
    CoordinatorResult<ReadOutcome, ShareStateRecord> read(ShareStateKey key, int leaderEpoch) {
        ShareState current = states.get(key);
        Outcome error = key.partition() < 0 ? new Outcome(Errors.INVALID_REQUEST, NEGATIVE_PARTITION)
                : current == null ? new Outcome(Errors.INVALID_REQUEST, READ_UNINITIALIZED)
                : fencedLeaderEpoch(key, leaderEpoch) ? Outcome.of(Errors.FENCED_LEADER_EPOCH)
                : !partitionExists.test(key.topicId(), key.partition()) ? Outcome.of(Errors.UNKNOWN_TOPIC_OR_PARTITION)
                : null;
        if (error != null) {
            return CoordinatorResult.response(new ReadOutcome(error, null));
        }
        ReadOutcome outcome = new ReadOutcome(Outcome.NONE, current);
        if (leaderEpoch == -1 || Integer.valueOf(leaderEpoch).equals(highestLeaderEpochs.get(key))) {
            return CoordinatorResult.response(outcome);
        }
        return CoordinatorResult.of(List.of(stateRecord(key, current, leaderEpoch, -1, -1, List.of())), outcome);
    }

    /** Writes a leader's changed batches and start offset (-1 epochs and offset: unchanged). */
    CoordinatorResult<Outcome, ShareStateRecord> write(ShareStateKey key, int stateEpoch, int leaderEpoch,
                                                        long startOffset, int deliveryCompleteCount,
                                                        List<StateBatch> batches) {
        ShareState current = states.get(key);
        Outcome error = key.partition() < 0 ? new Outcome(Errors.INVALID_REQUEST, NEGATIVE_PARTITION)
                : current == null ? new Outcome(Errors.INVALID_REQUEST, WRITE_UNINITIALIZED)
                : fencedLeaderEpoch(key, leaderEpoch) ? Outcome.of(Errors.FENCED_LEADER_EPOCH)
                : fencedStateEpoch(key, stateEpoch) ? Outcome.of(Errors.FENCED_STATE_EPOCH)
                : !partitionExists.test(key.topicId(), key.partition()) ? Outcome.of(Errors.UNKNOWN_TOPIC_OR_PARTITION)
                : null;
        if (error != null) {
            return CoordinatorResult.response(error);
        }
        return CoordinatorResult.of(List.of(stateRecord(key, current, leaderEpoch, startOffset,
                deliveryCompleteCount, batches)), Outcome.NONE);
    }

    CoordinatorResult<Outcome, ShareStateRecord> delete(ShareStateKey key) {
        Outcome error = keyError(key);
        if (error != null) {
            return CoordinatorResult.response(error);
        }
        if (!states.containsKey(key)) {
            return CoordinatorResult.response(Outcome.NONE);
        }
        return CoordinatorResult.of(List.of(new ShareStateRecord.Tombstone(key)), Outcome.NONE);
    }

    /** The summary of {@code key}: its state, or null if never initialized (answered as start offset -1). */
    CoordinatorResult<ReadOutcome, ShareStateRecord> readSummary(ShareStateKey key) {
        Outcome error = keyError(key);
        return CoordinatorResult.response(error != null ? new ReadOutcome(error, null)
                : new ReadOutcome(Outcome.NONE, states.get(key)));
    }

    /** Whether {@code stateEpoch} is older than the highest the key's snapshots carried (-1 never is). */
    private boolean fencedStateEpoch(ShareStateKey key, int stateEpoch) {
        Integer highest = highestStateEpochs.get(key);
        return stateEpoch != -1 && highest != null && highest > stateEpoch;
    }

    /** Whether {@code leaderEpoch} is older than the highest the key's records carried (-1 never is). */
    private boolean fencedLeaderEpoch(ShareStateKey key, int leaderEpoch) {
        Integer highest = highestLeaderEpochs.get(key);
        return leaderEpoch != -1 && highest != null && highest > leaderEpoch;
    }

    private Outcome keyError(ShareStateKey key) {
        if (key.partition() < 0) {
            return new Outcome(Errors.INVALID_REQUEST, NEGATIVE_PARTITION);
        }
        if (!partitionExists.test(key.topicId(), key.partition())) {
            return Outcome.of(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        return null;
    }

    /**
     * The record of a write to an initialized key: an update, or a whole snapshot once the key has had
     * {@code updateRecordsPerSnapshot} updates since its last one.
     */
    private ShareStateRecord stateRecord(ShareStateKey key, ShareState current, int leaderEpoch,
                                         long startOffset, int deliveryCompleteCount, List<StateBatch> batches) {
        if (current.updatesSinceSnapshot() >= config.updateRecordsPerSnapshot()) {
            long newStart = startOffset == -1 ? current.startOffset() : startOffset;
            // The state epoch stays the last snapshot's, as Kafka's (only InitializeShareGroupState sets it).
            ShareState snapshot = new ShareState(current.snapshotEpoch() + 1, current.stateEpoch(),
                    leaderEpoch == -1 ? current.leaderEpoch() : leaderEpoch, newStart,
                    deliveryCompleteCount == -1 ? current.deliveryCompleteCount() : deliveryCompleteCount,
                    current.createTimestamp(), time.milliseconds(),
                    StateBatches.combine(current.stateBatches(), batches, newStart), 0);
            return new ShareStateRecord.Snapshot(key, snapshot);
        }
        return new ShareStateRecord.Update(key, current.snapshotEpoch(), leaderEpoch, startOffset,
                deliveryCompleteCount, StateBatches.combine(List.of(), batches, startOffset));
    }

    private static ShareState withLeaderEpoch(ShareState s, int leaderEpoch) {
        return new ShareState(s.snapshotEpoch(), s.stateEpoch(), leaderEpoch, s.startOffset(),
                s.deliveryCompleteCount(), s.createTimestamp(), s.writeTimestamp(), s.stateBatches(),
                s.updatesSinceSnapshot());
    }
}
