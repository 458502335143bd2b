package io.strand.coordinator.share;

import java.util.List;

/**
 * The persisted state of one share-partition (one group, one topic partition) as the share coordinator
 * holds it: the value of its latest {@code ShareSnapshot} record with the {@code ShareUpdate}s written
 * since applied. Immutable.
 *
 * @param snapshotEpoch         grows with each snapshot record of the key; updates carry the epoch of
 *                              the snapshot they follow
 * @param stateEpoch            set by InitializeShareGroupState; writes with an older one are fenced
 * @param leaderEpoch           the partition leader epoch of the latest read or write; older leaders are fenced
 * @param startOffset           every offset below it is done; -1 if initialized without one
 * @param deliveryCompleteCount offsets at or past the start offset whose delivery is complete; -1 if unknown
 * @param createTimestamp       when the state was initialized
 * @param writeTimestamp        when the latest snapshot was written
 * @param stateBatches          in-flight state past the start offset, sorted, not overlapping
 * @param updatesSinceSnapshot  {@code ShareUpdate} records applied since the snapshot (not persisted)
 */
public record ShareState(int snapshotEpoch, int stateEpoch, int leaderEpoch, long startOffset,
                         int deliveryCompleteCount, long createTimestamp, long writeTimestamp,
                         List<StateBatch> stateBatches, int updatesSinceSnapshot) {

    public ShareState {
        stateBatches = List.copyOf(stateBatches);
    }

    /** This state with an update record applied: -1 start offset and leader epoch keep the current ones. */
    ShareState apply(ShareStateRecord.Update update) {
        long newStart = update.startOffset() == -1 ? startOffset : update.startOffset();
        int newLeaderEpoch = update.leaderEpoch() == -1 ? leaderEpoch : update.leaderEpoch();
        int newCompleteCount = update.deliveryCompleteCount() == -1 ? deliveryCompleteCount
                : update.deliveryCompleteCount();
        return new ShareState(snapshotEpoch, stateEpoch, newLeaderEpoch, newStart, newCompleteCount, createTimestamp,
                writeTimestamp, StateBatches.combine(stateBatches, update.stateBatches(), newStart),
                updatesSinceSnapshot + 1);
    }
}
