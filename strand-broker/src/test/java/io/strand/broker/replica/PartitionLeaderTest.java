package io.strand.broker.replica;

import static io.strand.broker.replica.ReplicatedPartitionFixture.LAG_MS;
import static io.strand.broker.replica.ReplicatedPartitionFixture.LOCAL;
import static io.strand.broker.replica.ReplicatedPartitionFixture.LOCAL_BROKER_EPOCH;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader side of a replicated partition: high watermark, ISR changes, waiting for the high watermark. */
class PartitionLeaderTest {

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private ReplicatedPartitionFixture start(List<Integer> replicas, List<Integer> isr) {
        cluster = new ReplicatedPartitionFixture(dir, replicas, isr, 1);
        return cluster;
    }

    @Test
    void highWatermarkIsTheLowestLogEndInTheIsrAndNeverMovesBack() {
        start(List.of(1, 2, 3), List.of(1, 2, 3));
        cluster.append(10);
        assertThat(cluster.partition().highWatermark()).isZero();

        cluster.fetch(2, 5);
        assertThat(cluster.partition().highWatermark()).as("follower 3 has not fetched yet").isZero();
        cluster.fetch(3, 7);
        assertThat(cluster.partition().highWatermark()).isEqualTo(5);
        cluster.fetch(2, 10);
        assertThat(cluster.partition().highWatermark()).isEqualTo(7);
        cluster.fetch(3, 10);
        assertThat(cluster.partition().highWatermark()).isEqualTo(10);
        cluster.fetch(3, 4);
        assertThat(cluster.partition().highWatermark()).isEqualTo(10);
        assertThat(cluster.sent).isEmpty();
    }

    @Test
    void aLeaderAloneInTheIsrCommitsOnAppend() {
        start(List.of(1, 2), List.of(1));
        cluster.append(3);
        assertThat(cluster.partition().highWatermark()).isEqualTo(3);
        assertThat(cluster.partition().awaitHighWatermark(3)).isCompleted();
    }

    @Test
    void awaitHighWatermarkCompletesWhenFollowersCatchUpAndFailsWhenLeadershipIsLost() {
        start(List.of(1, 2), List.of(1, 2));
        cluster.append(4);
        CompletableFuture<Void> committed = cluster.partition().awaitHighWatermark(4);
        CompletableFuture<Void> later = cluster.partition().awaitHighWatermark(6);
        cluster.fetch(2, 3);
        assertThat(committed).isNotDone();
        cluster.fetch(2, 4);
        assertThat(committed).isCompleted();
        assertThat(later).isNotDone();

        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);
        assertThat(later).isCompletedExceptionally();
        assertThatThrownBy(later::join).hasCauseInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(cluster.partition().awaitHighWatermark(10)).isCompletedExceptionally();
    }

    @Test
    void aFollowerThatHasNotCaughtUpForTheLagTimeLeavesTheIsr() {
        start(List.of(1, 2, 3), List.of(1, 2, 3));
        cluster.append(5);
        cluster.fetch(2, 5);
        cluster.fetch(3, 2);
        cluster.time.advance(LAG_MS);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.sent).as("both caught up within the lag time").isEmpty();

        cluster.time.advance(1);
        cluster.fetch(2, 5);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.sent).hasSize(1);
        AlterPartitionRequestData request = cluster.sent.get(0);
        assertThat(request.brokerId()).isEqualTo(LOCAL);
        assertThat(request.brokerEpoch()).isEqualTo(LOCAL_BROKER_EPOCH);
        assertThat(request.topics().get(0).topicId()).isEqualTo(TOPIC_ID);
        AlterPartitionRequestData.PartitionData partition = request.topics().get(0).partitions().get(0);
        assertThat(partition.leaderEpoch()).isZero();
        assertThat(partition.partitionEpoch()).isZero();
        assertThat(partition.newIsrWithEpochs()).containsExactly(
                new AlterPartitionRequestData.BrokerState().setBrokerId(1).setBrokerEpoch(LOCAL_BROKER_EPOCH),
                new AlterPartitionRequestData.BrokerState().setBrokerId(2).setBrokerEpoch(20));
        assertThat(cluster.partition().highWatermark()).as("the ISR in use still holds 3").isEqualTo(2);

        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.sent).as("one change in flight").hasSize(1);

        cluster.accept(0, 1);
        assertThat(cluster.partition().isr()).containsExactly(1, 2);
        assertThat(cluster.partition().partitionEpoch()).isEqualTo(1);
        assertThat(cluster.partition().highWatermark()).isEqualTo(5);
    }

    @Test
    void countsTheIsrChangesTheControllerAcceptedAndNoOther() {
        start(List.of(1, 2, 3), List.of(1, 2, 3));
        cluster.append(5);
        cluster.fetch(2, 5);
        cluster.time.advance(LAG_MS + 1);
        cluster.fetch(2, 5);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.lastProposedIsr()).containsExactly(1, 2);
        assertThat(cluster.isrShrinks).as("proposed, not accepted yet").hasValue(0);
        cluster.reject(Errors.INVALID_REQUEST);
        assertThat(cluster.isrShrinks).as("refused").hasValue(0);

        cluster.replicaManager.maybeShrinkIsrs();
        cluster.accept(0, 1);
        assertThat(cluster.partition().isr()).containsExactly(1, 2);
        assertThat(cluster.isrShrinks).hasValue(1);
        assertThat(cluster.isrExpands).hasValue(0);

        cluster.fetch(3, 5);
        assertThat(cluster.lastProposedIsr()).containsExactly(1, 2, 3);
        cluster.accept(0, 2);
        assertThat(cluster.partition().isr()).containsExactly(1, 2, 3);
        assertThat(cluster.isrExpands).hasValue(1);
        assertThat(cluster.isrShrinks).hasValue(1);
    }

    @Test
    void countsAnIsrChangeOnceWhetherTheMetadataOrTheAnswerComesFirstAndTheControllersOwnToo() {
        start(List.of(1, 2, 3), List.of(1, 2, 3));
        cluster.append(5);
        cluster.fetch(2, 5);
        cluster.time.advance(LAG_MS + 1);
        cluster.fetch(2, 5);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.lastProposedIsr()).containsExactly(1, 2);

        cluster.publishPartition(List.of(1, 2, 3), List.of(1, 2), LOCAL, 0, 1);
        assertThat(cluster.isrShrinks).hasValue(1);
        cluster.accept(0, 1);
        assertThat(cluster.isrShrinks).as("the late answer is not counted again").hasValue(1);

        cluster.publishPartition(List.of(1, 2, 3), List.of(1), LOCAL, 0, 2);
        assertThat(cluster.partition().isr()).containsExactly(1);
        assertThat(cluster.isrShrinks).as("the controller's own change, a fenced follower removed").hasValue(2);
        cluster.publishPartition(List.of(1, 2, 3), List.of(1), LOCAL, 0, 2);
        assertThat(cluster.isrShrinks).as("the same partition epoch again").hasValue(2);
        cluster.publishPartition(List.of(1, 2, 3), List.of(2), 2, 1, 3);
        assertThat(cluster.isrShrinks).as("no longer led here").hasValue(2);
    }

    @Test
    void aFollowerReachingTheHighWatermarkAndTheEpochStartJoinsTheIsr() {
        start(List.of(1, 2, 3), List.of(1, 2));
        cluster.append(5);
        cluster.fetch(2, 2);
        // A new epoch starts at the log end, 5, above the high watermark, 2.
        cluster.publishPartition(List.of(1, 2, 3), List.of(1, 2), LOCAL, 1, 1);
        cluster.fetch(3, 3);
        assertThat(cluster.sent).as("at the high watermark but before the epoch's start").isEmpty();

        cluster.fetch(3, 5);
        assertThat(cluster.lastProposedIsr()).containsExactly(1, 2, 3);
        assertThat(cluster.sent.get(0).topics().get(0).partitions().get(0).newIsrWithEpochs().get(2).brokerEpoch())
                .isEqualTo(30);
        assertThat(cluster.partition().isr()).containsExactly(1, 2);
        assertThat(cluster.partition().maximalIsr()).containsExactly(1, 2, 3);

        cluster.fetch(2, 5);
        assertThat(cluster.partition().highWatermark()).isEqualTo(5);
        cluster.accept(1, 2);
        assertThat(cluster.partition().isr()).containsExactly(1, 2, 3);
    }

    @Test
    void aCaughtUpFollowerAboutToJoinHoldsTheHighWatermark() {
        start(List.of(1, 2, 3), List.of(1));
        cluster.fetch(3, 0);
        assertThat(cluster.lastProposedIsr()).containsExactly(1, 3);
        cluster.fetch(2, 0);
        cluster.append(4);
        cluster.fetch(3, 4);
        assertThat(cluster.partition().highWatermark()).as("follower 2 caught up and may join").isZero();

        cluster.time.advance(LAG_MS + 1);
        cluster.fetch(3, 4);
        assertThat(cluster.partition().highWatermark()).as("follower 2 fell behind").isEqualTo(4);
    }

    @Test
    void anIneligibleFollowerDoesNotJoinTheIsr() {
        start(List.of(1, 2, 3), List.of(1, 2));
        cluster.ineligible.add(3);
        cluster.fetch(3, 0);
        assertThat(cluster.sent).isEmpty();
        cluster.ineligible.clear();
        cluster.fetch(3, 0);
        assertThat(cluster.lastProposedIsr()).containsExactly(1, 2, 3);
    }

    @Test
    void aStaleChangeWaitsForTheMetadataAndANotAttemptedOneIsProposedAgain() {
        start(List.of(1, 2, 3), List.of(1, 2));
        cluster.fetch(3, 0);
        assertThat(cluster.sent).hasSize(1);

        cluster.reject(Errors.INVALID_UPDATE_VERSION);
        cluster.fetch(3, 0);
        cluster.time.advance(LAG_MS + 1);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.sent).as("nothing proposed until the metadata shows the partition").hasSize(1);

        cluster.publishPartition(List.of(1, 2, 3), List.of(1, 2), LOCAL, 0, 3);
        cluster.fetch(3, 0);
        assertThat(cluster.sent).hasSize(2);
        assertThat(cluster.sent.get(1).topics().get(0).partitions().get(0).partitionEpoch()).isEqualTo(3);

        cluster.reject(Errors.OPERATION_NOT_ATTEMPTED);
        cluster.fetch(3, 0);
        assertThat(cluster.sent).hasSize(3);

        cluster.answers.get(2).completeExceptionally(new org.apache.kafka.common.errors.TimeoutException("no controller"));
        cluster.fetch(3, 0);
        assertThat(cluster.sent).as("a change without an answer is proposed again").hasSize(4);

        cluster.reject(Errors.FENCED_LEADER_EPOCH);
        cluster.fetch(3, 0);
        assertThat(cluster.sent).hasSize(4);
        assertThat(cluster.partition().isr()).containsExactly(1, 2);
    }

    @Test
    void anAnswerToAChangeTheMetadataOvertookIsIgnored() {
        start(List.of(1, 2, 3), List.of(1, 2));
        cluster.fetch(3, 0);
        cluster.publishPartition(List.of(1, 2, 3), List.of(1), LOCAL, 0, 4);
        cluster.accept(0, 1);
        assertThat(cluster.partition().isr()).containsExactly(1);
        assertThat(cluster.partition().partitionEpoch()).isEqualTo(4);
    }

    @Test
    void roleChangesStartAndStopTheFetcher() {
        start(List.of(1, 2), List.of(1, 2));
        assertThat(cluster.fetcherCalls).isEmpty();

        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);
        assertThat(cluster.fetcherCalls).containsExactly("follow events-0 from 2 in 1");
        assertThat(cluster.partition().isLeader()).isFalse();
        assertThatThrownBy(() -> cluster.append(1)).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThatThrownBy(() -> cluster.partition().readForConsumer(0, 1000, true))
                .isInstanceOf(NotLeaderOrFollowerException.class);
        assertThatThrownBy(() -> cluster.partition().readForFollower(2, 0, 1000, true))
                .isInstanceOf(NotLeaderOrFollowerException.class);

        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 1, 2, 2);
        assertThat(cluster.fetcherCalls).containsExactly("follow events-0 from 2 in 1", "unfollow events-0");
        assertThat(cluster.partition().isLeader()).isTrue();
        assertThat(cluster.append(2).firstOffset()).isZero();

        cluster.publishPartition(List.of(1, 2), List.of(2), 2, 3, 3);
        cluster.publish(new io.strand.metadata.record.RemoveTopicRecord(TOPIC_ID));
        assertThat(cluster.fetcherCalls).containsExactly("follow events-0 from 2 in 1", "unfollow events-0",
                "follow events-0 from 2 in 3", "unfollow events-0");
        assertThat(cluster.replicaManager.partition(ReplicatedPartitionFixture.TP)).isEmpty();
    }

    @Test
    void aNewLeaderEpochStartsFollowerStatesOver() {
        start(List.of(1, 2), List.of(1, 2));
        cluster.append(4);
        cluster.fetch(2, 4);
        cluster.append(2);
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), LOCAL, 1, 1);
        assertThat(cluster.partition().highWatermark()).isEqualTo(4);
        cluster.time.advance(LAG_MS);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.sent).as("an ISR member gets the lag time from the election").isEmpty();
        cluster.time.advance(1);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.lastProposedIsr()).containsExactly(1);
    }
}
