package io.strand.coordinator.share;

import java.util.List;

/**
 * A record of {@code __share_group_state}, as Kafka's share coordinator writes it (record types 0 and 1
 * of its {@code CoordinatorRecordType}): a whole state or an increment of one, keyed by
 * {@link ShareStateKey}; a tombstone removes the key. Bytes in {@link ShareStateRecordSerde}.
 */
public sealed interface ShareStateRecord {

    ShareStateKey key();

    /** {@code ShareSnapshot}: the whole state of the key, replacing what was there. */
    record Snapshot(ShareStateKey key, ShareState state) implements ShareStateRecord {
    }

    /**
     * {@code ShareUpdate}: the batches that changed, combined into the state of the latest snapshot.
     *
     * @param startOffset -1 if unchanged
     * @param leaderEpoch -1 if unchanged
     */
    record Update(ShareStateKey key, int snapshotEpoch, int leaderEpoch, long startOffset, int deliveryCompleteCount,
                  List<StateBatch> stateBatches) implements ShareStateRecord {
        public Update {
            stateBatches = List.copyOf(stateBatches);
        }
    }

    /** A {@code ShareSnapshot} key without a value: the key's state is deleted. */
    record Tombstone(ShareStateKey key) implements ShareStateRecord {
    }
}
