package io.strand.broker.fetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The follower's fetch and truncation rules against a leader in memory, on manual time. */
class ReplicaFetcherTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final FetcherConfig CONFIG = FetcherConfig.withKafkaDefaults(2);

    private final ManualTime time = new ManualTime();
    private final InMemoryLog leaderLog = new InMemoryLog(TP, TOPIC_ID);
    private final InMemoryLog follower = new InMemoryLog(TP, TOPIC_ID);
    private FakeLeader leader;
    private ReplicaFetcher fetcher;

    @AfterEach
    void close() {
        if (fetcher != null) {
            fetcher.close();
        }
    }

    private void fetchFrom(int leaderEpoch) {
        leader = new FakeLeader(1, leaderLog, leaderEpoch);
        fetcher = new ReplicaFetcher(leader, CONFIG, () -> 7L, time);
        fetcher.addPartition(follower, leaderEpoch);
    }

    private void rounds(int n) {
        for (int i = 0; i < n; i++) {
            fetcher.doWork();
        }
    }

    @Test
    void copiesTheLeadersBatchesAndFollowsItsHighWatermark() {
        leaderLog.appendBatch(0, "a", "b").appendBatch(0, "c").appendBatch(1, "d", "e", "f");
        leaderLog.setHighWatermark(3);
        fetchFrom(1);

        rounds(2);

        assertThat(follower.contents()).isEqualTo(leaderLog.contents());
        assertThat(follower.logEndOffset()).isEqualTo(6);
        assertThat(follower.highWatermark()).isEqualTo(3);
        FetchRequestData last = leader.fetches.get(leader.fetches.size() - 1);
        assertThat(last.replicaState().replicaId()).isEqualTo(2);
        assertThat(last.replicaState().replicaEpoch()).isEqualTo(7L);
        FetchRequestData.FetchPartition partition = last.topics().get(0).partitions().get(0);
        assertThat(partition.fetchOffset()).isEqualTo(6);
        assertThat(partition.currentLeaderEpoch()).isEqualTo(1);
        assertThat(partition.lastFetchedEpoch()).isEqualTo(1);
        assertThat(last.topics().get(0).topicId()).isEqualTo(TOPIC_ID);
    }

    @Test
    void theHighWatermarkNeverPassesTheFollowersLogEnd() {
        leaderLog.appendBatch(0, "a", "b").appendBatch(0, "c");
        leaderLog.setHighWatermark(3);
        fetchFrom(0);

        FetchResponseData answer = leader.answer(fetcher.buildRound().request());
        // The answer holds only the first batch, as a small replica.fetch.max.bytes would.
        FetchResponseData.PartitionData data = answer.responses().get(0).partitions().get(0);
        data.setRecords(new InMemoryLog(TP, TOPIC_ID).appendBatch(0, "a", "b").read(0, Integer.MAX_VALUE));
        fetcher.processResponse(fetcher.buildRound(), answer);

        assertThat(follower.logEndOffset()).isEqualTo(2);
        assertThat(follower.highWatermark()).isEqualTo(2);
    }

    @Test
    void movesItsLogStartUpWithTheLeaders() {
        leaderLog.appendBatch(0, "a").appendBatch(0, "b").appendBatch(0, "c");
        leaderLog.setHighWatermark(3);
        fetchFrom(0);
        rounds(1);
        assertThat(follower.logStartOffset()).isZero();

        leaderLog.deleteBefore(2);
        rounds(1);

        assertThat(follower.logStartOffset()).isEqualTo(2);
        assertThat(follower.contents()).containsExactly("2:0:c");
    }

    @Test
    void truncatesWhatTheNewLeaderNeverHadAndCopiesItsEpoch() {
        // The old leader (epoch 1) wrote offsets 0-4 and this follower copied them all; the new leader
        // (epoch 2) had only 0-1 of them and wrote its own at 2.
        follower.appendBatch(1, "a", "b").appendBatch(1, "x", "y", "z");
        leaderLog.appendBatch(1, "a", "b").appendBatch(2, "c");
        leaderLog.setHighWatermark(3);
        fetchFrom(2);

        rounds(1);
        assertThat(follower.logEndOffset()).isEqualTo(2);
        rounds(1);

        assertThat(follower.contents()).containsExactly("0:1:a", "1:1:b", "2:2:c");
        assertThat(follower.contents()).isEqualTo(leaderLog.contents());
    }

    @Test
    void truncatesAnEpochTheLeaderNeverSaw() {
        // This follower led at epoch 2 and wrote 2-3 that nobody copied; the leader is at epoch 3.
        follower.appendBatch(1, "a", "b").appendBatch(2, "lost", "lost");
        leaderLog.appendBatch(1, "a", "b").appendBatch(3, "c");
        fetchFrom(3);

        rounds(2);

        assertThat(follower.contents()).containsExactly("0:1:a", "1:1:b", "2:3:c");
    }

    @Test
    void walksBackEpochByEpochUntilTheLogsAgree() {
        follower.appendBatch(0, "a").appendBatch(0, "x").appendBatch(2, "y", "z");
        leaderLog.appendBatch(0, "a").appendBatch(1, "b", "c").appendBatch(3, "d");
        fetchFrom(3);

        rounds(1);
        assertThat(follower.logEndOffset()).isEqualTo(2);
        rounds(1);
        assertThat(follower.logEndOffset()).isEqualTo(1);
        rounds(1);

        assertThat(follower.contents()).isEqualTo(leaderLog.contents());
    }

    @Test
    void cutsBackToTheLeadersEndWhenAheadOfIt() {
        // Batches without epochs (an old format): the leader cannot compare epochs, only offsets.
        follower.appendBatch(-1, "a", "b").appendBatch(-1, "x", "y");
        leaderLog.appendBatch(-1, "a", "b");
        fetchFrom(0);

        rounds(1);
        assertThat(fetcher.state(TP).phase()).isEqualTo(PartitionFetchState.Phase.RESETTING);
        rounds(1);

        assertThat(follower.logEndOffset()).isEqualTo(2);
        leaderLog.appendBatch(0, "c");
        rounds(1);
        assertThat(follower.contents()).isEqualTo(leaderLog.contents());
    }

    @Test
    void startsAtTheLeadersLogStartWhenBehindIt() {
        follower.appendBatch(0, "a");
        leaderLog.appendBatch(0, "a").appendBatch(0, "b", "c").appendBatch(0, "d");
        leaderLog.deleteBefore(3);
        fetchFrom(0);

        rounds(2);

        assertThat(follower.logStartOffset()).isEqualTo(3);
        assertThat(follower.contents()).containsExactly("3:0:d");
    }

    @Test
    void dropsAnAnswerForAnEpochItNoLongerFollows() {
        leaderLog.appendBatch(0, "a");
        fetchFrom(0);
        ReplicaFetcher.FetchRound round = fetcher.buildRound();
        FetchResponseData answer = leader.answer(round.request());

        // Leadership moves on while the fetch is out: epoch 1 on the same leader.
        leader.becomeLeaderAt(1);
        fetcher.addPartition(follower, 1);
        fetcher.processResponse(round, answer);
        assertThat(follower.logEndOffset()).isZero();

        leaderLog.appendBatch(1, "b");
        rounds(1);
        assertThat(follower.contents()).containsExactly("0:0:a", "1:1:b");
        assertThat(leader.fetches.get(0).topics().get(0).partitions().get(0).currentLeaderEpoch()).isEqualTo(1);
    }

    @Test
    void waitsForTheNextFollowWhenTheLeaderIsAtANewerEpoch() {
        leaderLog.appendBatch(3, "a");
        fetchFrom(2);
        leader.becomeLeaderAt(3);

        rounds(1);
        assertThat(fetcher.state(TP).phase()).isEqualTo(PartitionFetchState.Phase.FENCED);
        time.advance(60_000);
        rounds(3);
        assertThat(leader.fetches).hasSize(1);

        fetcher.addPartition(follower, 3);
        rounds(1);
        assertThat(follower.contents()).containsExactly("0:3:a");
    }

    @Test
    void retriesAfterTheBackoffWhenTheLeaderHasNotSeenItsEpochYet() {
        leaderLog.appendBatch(1, "a");
        fetchFrom(1);
        leader.becomeLeaderAt(0);

        rounds(1);
        rounds(1);
        assertThat(leader.fetches).hasSize(1);
        leader.becomeLeaderAt(1);
        time.advance(CONFIG.backoffMs());
        rounds(1);

        assertThat(follower.contents()).containsExactly("0:1:a");
    }

    @Test
    void backsOffAfterAFailedFetch() {
        leaderLog.appendBatch(0, "a");
        fetchFrom(0);
        leader.failWith(new NetworkException("connection refused"));

        rounds(1);
        leader.failWith(null);
        assertThat(fetcher.doWork()).isEqualTo(CONFIG.backoffMs());
        assertThat(leader.fetches).hasSize(1);

        time.advance(CONFIG.backoffMs());
        rounds(1);
        assertThat(follower.contents()).containsExactly("0:0:a");
    }

    @Test
    void removedPartitionsAreNoLongerFetched() {
        leaderLog.appendBatch(0, "a");
        fetchFrom(0);
        ReplicaFetcher.FetchRound round = fetcher.buildRound();

        assertThat(fetcher.removePartition(TP)).isTrue();
        fetcher.processResponse(round, leader.answer(round.request()));

        assertThat(follower.logEndOffset()).isZero();
        assertThat(fetcher.buildRound()).isNull();
    }

    @Test
    void closeClosesTheLeaderEndpoint() {
        fetchFrom(0);
        fetcher.close();
        assertThat(leader.closed()).isTrue();
    }
}
