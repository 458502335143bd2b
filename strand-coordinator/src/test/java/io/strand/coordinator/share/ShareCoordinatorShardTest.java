package io.strand.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The share coordinator's shard: which record each operation writes, and the state replay rebuilds. */
class ShareCoordinatorShardTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final ShareStateKey KEY = new ShareStateKey("g", TOPIC_ID, 0);
    private static final int UPDATES_PER_SNAPSHOT = 2;

    private final ManualTime time = new ManualTime();
    private final ShareCoordinatorConfig config = ShareCoordinatorConfig.from(Map.of(
            ShareCoordinatorConfig.UPDATE_RECORDS_PER_SNAPSHOT, Integer.toString(UPDATES_PER_SNAPSHOT)));
    private final ShareCoordinatorShard shard = new ShareCoordinatorShard(config, time,
            (topicId, partition) -> topicId.equals(TOPIC_ID));

    @Test
    void readsAndWritesOfAStateNeverInitializedAreInvalidRequests() {
        assertThat(shard.read(KEY, 0).response().outcome().error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(shard.write(KEY, 0, 0, 5, -1, List.of()).response())
                .isEqualTo(new ShareCoordinatorShard.Outcome(Errors.INVALID_REQUEST,
                        ShareCoordinatorShard.WRITE_UNINITIALIZED));
        assertThat(shard.readSummary(KEY).response().state()).isNull();
        assertThat(shard.write(new ShareStateKey("g", Uuid.randomUuid(), 0), 0, 0, 5, -1, List.of()).response()
                .error()).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void writesAreUpdatesUntilTheNextSnapshotIsDueAndReplayCombinesThem() {
        applied(shard.initialize(KEY, 0, 100));
        ShareStateRecord first = applied(shard.write(KEY, 0, 1, 102, 2,
                List.of(batch(100, 101, StateBatch.ACKNOWLEDGED, 1), batch(102, 103, StateBatch.AVAILABLE, 1))));
        ShareStateRecord second = applied(shard.write(KEY, 0, 1, -1, -1,
                List.of(batch(103, 103, StateBatch.ARCHIVED, 1))));
        ShareStateRecord third = applied(shard.write(KEY, 0, 1, 104, 0, List.of(batch(102, 102,
                StateBatch.ACKNOWLEDGED, 2))));

        assertThat(first).isInstanceOf(ShareStateRecord.Update.class);
        assertThat(((ShareStateRecord.Update) first).stateBatches()).as("below the written start offset: dropped")
                .containsExactly(batch(102, 103, StateBatch.AVAILABLE, 1));
        assertThat(second).isInstanceOf(ShareStateRecord.Update.class);
        assertThat(third).as("after " + UPDATES_PER_SNAPSHOT + " updates a snapshot")
                .isInstanceOf(ShareStateRecord.Snapshot.class);
        ShareState state = shard.state(KEY);
        assertThat(state.snapshotEpoch()).isEqualTo(1);
        assertThat(state.startOffset()).isEqualTo(104);
        assertThat(state.stateBatches()).isEmpty();

        ShareCoordinatorShard reloaded = new ShareCoordinatorShard(config, time, (topicId, partition) -> true);
        ShareStateRecord initialize = new ShareStateRecord.Snapshot(KEY,
                new ShareState(0, 0, -1, 100, -1, time.milliseconds(), time.milliseconds(), List.of(), 0));
        for (ShareStateRecord record : List.of(initialize, first, second)) {
            reloaded.replay(CoordinatorShard.UNKNOWN_OFFSET, record);
        }
        assertThat(reloaded.state(KEY).startOffset()).isEqualTo(102);
        assertThat(reloaded.state(KEY).stateBatches()).containsExactly(batch(102, 102, StateBatch.AVAILABLE, 1),
                batch(103, 103, StateBatch.ARCHIVED, 1));
        reloaded.replay(CoordinatorShard.UNKNOWN_OFFSET, third);
        assertThat(reloaded.state(KEY)).isEqualTo(state);
    }

    @Test
    void aReadOfANewerLeaderRecordsItsEpochAndFencesOlderLeaders() {
        applied(shard.initialize(KEY, 0, 0));
        CoordinatorResult<ShareCoordinatorShard.ReadOutcome, ShareStateRecord> read = shard.read(KEY, 3);
        assertThat(read.records()).hasSize(1);
        applied(read);
        assertThat(shard.read(KEY, 3).records()).as("same epoch: nothing to record").isEmpty();

        assertThat(shard.read(KEY, 2).response().outcome().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(shard.write(KEY, 0, 2, 1, -1, List.of()).response().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(shard.write(KEY, 0, 3, 1, -1, List.of()).response().error()).isEqualTo(Errors.NONE);
    }

    @Test
    void anInitializeWithAnOlderStateEpochIsFencedAndADeleteWritesATombstone() {
        applied(shard.initialize(KEY, 2, 10));
        assertThat(shard.initialize(KEY, 1, 0).response().error()).isEqualTo(Errors.FENCED_STATE_EPOCH);
        assertThat(shard.write(KEY, 1, -1, 11, -1, List.of()).response().error()).isEqualTo(Errors.FENCED_STATE_EPOCH);

        assertThat(applied(shard.delete(KEY))).isInstanceOf(ShareStateRecord.Tombstone.class);
        assertThat(shard.state(KEY)).isNull();
        assertThat(shard.delete(KEY).records()).as("nothing left to delete").isEmpty();
    }

    @Test
    void anInitializeWithStateEpochMinusOneIsReadBackAsSuchButFencingKeepsTheHighestEpoch() {
        applied(shard.initialize(KEY, 3, 10));
        applied(shard.initialize(KEY, -1, 20));

        assertThat(shard.read(KEY, -1).response().state().stateEpoch()).as("the last snapshot's, as Kafka reads it")
                .isEqualTo(-1);
        assertThat(shard.initialize(KEY, 2, 0).response().error()).isEqualTo(Errors.FENCED_STATE_EPOCH);
        assertThat(shard.write(KEY, 2, -1, 21, -1, List.of()).response().error()).isEqualTo(Errors.FENCED_STATE_EPOCH);
        assertThat(shard.write(KEY, 3, -1, 21, -1, List.of()).response().error()).isEqualTo(Errors.NONE);

        applied(shard.delete(KEY));
        assertThat(shard.initialize(KEY, 0, 0).response().error()).as("a tombstone forgets the epochs")
                .isEqualTo(Errors.NONE);
    }

    @Test
    void anInitializeStoresLeaderEpochZeroButOlderLeadersStayFenced() {
        applied(shard.initialize(KEY, 1, 0));
        assertThat(shard.state(KEY).leaderEpoch()).as("as Kafka's snapshot of an initialization").isZero();
        applied(shard.read(KEY, 5));
        assertThat(shard.state(KEY).leaderEpoch()).isEqualTo(5);

        applied(shard.initialize(KEY, 2, 0));
        assertThat(shard.state(KEY).leaderEpoch()).isZero();
        assertThat(shard.read(KEY, 4).response().outcome().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(shard.write(KEY, 2, 4, 1, -1, List.of()).response().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(shard.read(KEY, 5).records()).as("the highest epoch recorded: nothing to record").isEmpty();
    }

    @Test
    void aSnapshotDueToWritesKeepsTheStoredStateEpoch() {
        applied(shard.initialize(KEY, 1, 0));
        for (int i = 0; i <= UPDATES_PER_SNAPSHOT; i++) {
            applied(shard.write(KEY, 5, -1, -1, -1, List.of()));
        }
        assertThat(shard.state(KEY).snapshotEpoch()).as("a snapshot was written").isEqualTo(1);
        assertThat(shard.state(KEY).stateEpoch()).isEqualTo(1);
    }

    @Test
    void unknownTopicsAndNegativePartitionsAreRefused() {
        assertThat(shard.initialize(new ShareStateKey("g", Uuid.randomUuid(), 0), 0, 0).response().error())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(shard.initialize(new ShareStateKey("g", TOPIC_ID, -1), 0, 0).response().error())
                .isEqualTo(Errors.INVALID_REQUEST);
    }

    /** Replays the operation's one record, as the runtime does, and returns it. */
    private ShareStateRecord applied(CoordinatorResult<?, ShareStateRecord> result) {
        assertThat(result.records()).hasSize(1);
        shard.replay(CoordinatorShard.UNKNOWN_OFFSET, result.records().get(0));
        return result.records().get(0);
    }

    private static StateBatch batch(long first, long last, byte state, int count) {
        return new StateBatch(first, last, state, (short) count);
    }
}
