package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Transactional offset commits on one shard: pending per producer until the producer's marker, then
 * committed (the later record in the log wins) or dropped; OffsetFetch with and without require_stable;
 * the same state after a reload from the log; TxnOffsetCommit's validation.
 */
class TxnOffsetCommitTest {

    static final String GROUP = "g";
    static final long P1 = 1000L;
    static final long P2 = 2000L;
    static final short EPOCH = 3;

    private final ShardHarness h = ShardHarness.withoutInitialDelay();

    static TxnOffsetCommitRequestData txnCommit(String groupId, long producerId, String topic, int partition,
                                                long offset) {
        return new TxnOffsetCommitRequestData().setTransactionalId("txn-" + producerId).setGroupId(groupId)
                .setProducerId(producerId).setProducerEpoch(EPOCH)
                .setTopics(List.of(new TxnOffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                        new TxnOffsetCommitRequestPartition().setPartitionIndex(partition).setCommittedOffset(offset)
                                .setCommittedLeaderEpoch(2).setCommittedMetadata("m" + offset)))));
    }

    private Errors commitTxn(TxnOffsetCommitRequestData request) {
        TxnOffsetCommitResponseData response = h.runTransactional(request.producerId(), request.producerEpoch(),
                s -> s.txnOffsetCommitOp().commit(request));
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    private void commitPlain(String topic, int partition, long offset) {
        h.run(s -> s.offsetOps().commit(OffsetOpsTest.commit(GROUP, "", -1, topic, partition, offset, "")));
    }

    private static OffsetFetchResponsePartitions fetch(GroupShard shard, boolean requireStable, String topic,
                                                       int partition) {
        return shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId(GROUP).setTopics(List.of(
                        new OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(partition)))),
                requireStable).topics().get(0).partitions().get(0);
    }

    private OffsetFetchResponsePartitions fetch(boolean requireStable, String topic, int partition) {
        return fetch(h.shard, requireStable, topic, partition);
    }

    @Test
    void pendingOffsetsStayInvisibleUntilTheCommitMarker() {
        commitPlain("t", 0, 5);
        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10))).isEqualTo(Errors.NONE);

        assertThat(fetch(false, "t", 0).committedOffset()).isEqualTo(5);
        OffsetFetchResponsePartitions stable = fetch(true, "t", 0);
        assertThat(Errors.forCode(stable.errorCode())).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
        assertThat(stable.committedOffset()).isEqualTo(-1);
        assertThat(fetch(true, "t", 1).errorCode()).as("a partition no transaction commits").isZero();

        h.endTransaction(P1, EPOCH, true);

        OffsetFetchResponsePartitions committed = fetch(true, "t", 0);
        assertThat(committed.errorCode()).isZero();
        assertThat(committed.committedOffset()).isEqualTo(10);
        assertThat(committed.committedLeaderEpoch()).isEqualTo(2);
        assertThat(committed.metadata()).isEqualTo("m10");
        assertThat(h.shard.pendingTxnOffsets()).isEmpty();
    }

    @Test
    void anAbortMarkerDropsThePendingOffsets() {
        commitPlain("t", 0, 5);
        commitTxn(txnCommit(GROUP, P1, "t", 0, 10));
        commitTxn(txnCommit(GROUP, P1, "u", 0, 11));

        h.endTransaction(P1, EPOCH, false);

        assertThat(fetch(true, "t", 0).committedOffset()).isEqualTo(5);
        assertThat(fetch(true, "u", 0).committedOffset()).isEqualTo(-1);
        assertThat(fetch(true, "u", 0).errorCode()).isZero();
        assertThat(h.shard.pendingTxnOffsets()).isEmpty();
    }

    @Test
    void twoProducersEndIndependentlyAndTheLaterRecordInTheLogWins() {
        commitTxn(txnCommit(GROUP, P1, "t", 0, 10));
        commitTxn(txnCommit(GROUP, P2, "t", 0, 20));
        commitTxn(txnCommit(GROUP, P2, "t", 1, 21));

        h.endTransaction(P2, EPOCH, true);
        assertThat(fetch(false, "t", 0).committedOffset()).isEqualTo(20);
        assertThat(fetch(false, "t", 1).committedOffset()).isEqualTo(21);
        assertThat(Errors.forCode(fetch(true, "t", 0).errorCode()))
                .as("P1 still commits t-0").isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
        assertThat(fetch(true, "t", 1).errorCode()).isZero();

        h.endTransaction(P1, EPOCH, true);
        assertThat(fetch(true, "t", 0).committedOffset()).as("P1's record is older than P2's").isEqualTo(20);
    }

    @Test
    void aPlainCommitWrittenAfterTheTransactionalOneWins() {
        commitTxn(txnCommit(GROUP, P1, "t", 0, 10));
        commitPlain("t", 0, 15);

        h.endTransaction(P1, EPOCH, true);

        assertThat(fetch(true, "t", 0).committedOffset()).isEqualTo(15);
    }

    @Test
    void aReloadFromTheLogRebuildsCommittedAndPendingOffsets() {
        commitPlain("t", 0, 1);
        commitTxn(txnCommit(GROUP, P1, "t", 0, 10));
        commitTxn(txnCommit(GROUP, P2, "t", 1, 20));
        commitPlain("t", 2, 2);
        h.endTransaction(P1, EPOCH, true);
        commitTxn(txnCommit(GROUP, P1 + 1, "t", 2, 30));
        h.endTransaction(P1 + 1, EPOCH, false);
        // P2's transaction stays open across the reload.

        GroupShard reloaded = ShardHarness.load(new GroupShard(0, h.shard.config(), h.time, new Random(1)), h.log,
                h.time);

        assertThat(reloaded.snapshot()).isEqualTo(h.shard.snapshot());
        assertThat(reloaded.pendingTxnOffsets()).isEqualTo(h.shard.pendingTxnOffsets()).containsOnlyKeys(P2);
        assertThat(fetch(reloaded, false, "t", 0).committedOffset()).isEqualTo(10);
        assertThat(fetch(reloaded, false, "t", 2).committedOffset()).isEqualTo(2);
        assertThat(Errors.forCode(fetch(reloaded, true, "t", 1).errorCode())).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);

        ShardHarness failover = new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0"),
                h.log);
        failover.endTransaction(P2, EPOCH, true);
        assertThat(fetch(failover.shard, true, "t", 1).committedOffset()).isEqualTo(20);
    }

    @Test
    void aDeletedGroupKeepsNoPendingOffsetForALaterCommitMarker() {
        commitTxn(txnCommit(GROUP, P1, "t", 0, 10));
        Errors deleted = h.run(s -> s.adminOps().delete(GROUP));
        assertThat(deleted).isEqualTo(Errors.NONE);

        h.endTransaction(P1, EPOCH, true);

        assertThat(fetch(false, "t", 0).committedOffset()).isEqualTo(-1);
    }

    @Test
    void aDeletedTopicsOffsetsAreDeletedCommittedAndPendingAlike() {
        commitPlain("t", 0, 5);
        commitPlain("t", 1, 6);
        commitPlain("u", 0, 7);
        h.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("other", "", -1, "t", 0, 8, "")));
        commitTxn(txnCommit(GROUP, P1, "t", 2, 10));
        commitTxn(txnCommit(GROUP, P1, "u", 1, 11));

        h.run(s -> s.offsetOps().topicsDeleted(java.util.Set.of("t")));

        assertThat(fetch(false, "t", 0).committedOffset()).isEqualTo(-1);
        assertThat(fetch(false, "t", 1).committedOffset()).isEqualTo(-1);
        assertThat(h.shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId("other").setTopics(null))
                .topics()).isEmpty();
        assertThat(fetch(false, "u", 0).committedOffset()).isEqualTo(7);
        // The open transaction's offset of the deleted topic is gone; its other one commits with the marker.
        assertThat(fetch(true, "t", 2).errorCode()).isZero();
        h.endTransaction(P1, EPOCH, true);
        assertThat(fetch(true, "t", 2).committedOffset()).isEqualTo(-1);
        assertThat(fetch(true, "u", 1).committedOffset()).isEqualTo(11);
        // The groups stay, as Kafka's do until their offsets would have expired.
        assertThat(h.shard.group(GROUP)).isNotNull();
        assertThat(h.shard.group("other")).isNotNull();
    }

    @Test
    void anOffsetInAnOpenTransactionDoesNotExpire() {
        commitPlain("t", 0, 5);
        commitTxn(txnCommit(GROUP, P1, "t", 0, 10));

        h.advance(h.shard.config().offsetsRetentionMs() + h.shard.config().offsetsRetentionCheckIntervalMs());

        assertThat(fetch(false, "t", 0).committedOffset()).isEqualTo(5);
        h.endTransaction(P1, EPOCH, true);
        assertThat(fetch(false, "t", 0).committedOffset()).isEqualTo(10);
    }

    @Test
    void aBadProducerIsRefusedWithoutWritingAnything() {
        int before = h.log.recordCount(0);

        assertThat(commitTxn(txnCommit(GROUP, -1, "t", 0, 10))).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10).setProducerEpoch((short) -1)))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);

        assertThat(h.log.recordCount(0)).isEqualTo(before);
        assertThat(h.shard.pendingTxnOffsets()).isEmpty();
    }

    @Test
    void anUnknownGroupTakesCommitsWithoutAGenerationOnly() {
        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10).setGenerationId(4).setMemberId("m")))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10))).isEqualTo(Errors.NONE);
        assertThat(h.group(GROUP)).as("a simple group").isNotNull();
    }

    @Test
    void aClassicGroupChecksTheMemberAndGenerationTheRequestNames() {
        String member = h.newMemberId(GROUP);
        h.join(GROUP, member).join();
        h.sync(GROUP, member, 1, Map.of(member, new byte[0])).join();

        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10).setGenerationId(1).setMemberId(member)))
                .isEqualTo(Errors.NONE);
        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10).setGenerationId(2).setMemberId(member)))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10).setGenerationId(1).setMemberId("other")))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 0, 10)))
                .as("v0-2 name no member: accepted as Kafka does").isEqualTo(Errors.NONE);
    }

    @Test
    void tooLargeMetadataFailsItsPartitionOnly() {
        TxnOffsetCommitRequestData request = txnCommit(GROUP, P1, "t", 0, 10);
        request.topics().get(0).setPartitions(new ArrayList<>(request.topics().get(0).partitions()));
        request.topics().get(0).partitions().add(new TxnOffsetCommitRequestPartition().setPartitionIndex(1)
                .setCommittedOffset(3).setCommittedMetadata("x".repeat(h.shard.config().offsetMetadataMaxBytes() + 1)));

        TxnOffsetCommitResponseData response = h.runTransactional(P1, EPOCH, s -> s.txnOffsetCommitOp().commit(request));

        assertThat(response.topics().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.NONE, Errors.OFFSET_METADATA_TOO_LARGE);
        assertThat(h.shard.pendingTxnOffsets().get(P1)).containsOnlyKeys(GROUP + "/t-0");
    }

    @Test
    void anOlderEpochOfAProducerWithPendingOffsetsIsFenced() {
        commitTxn(txnCommit(GROUP, P1, "t", 0, 10));

        assertThat(commitTxn(txnCommit(GROUP, P1, "t", 1, 11).setProducerEpoch((short) (EPOCH - 1))))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(h.shard.pendingTxnOffsets().get(P1)).containsOnlyKeys(GROUP + "/t-0");
    }
}
