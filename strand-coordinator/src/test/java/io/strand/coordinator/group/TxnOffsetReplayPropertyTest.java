package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;

/**
 * Whatever mix of plain commits, transactional commits of several producers, commit and abort markers,
 * OffsetDelete and DeleteGroups a shard applies live, a fresh shard loaded from the log it wrote holds
 * the same committed and pending offsets.
 */
class TxnOffsetReplayPropertyTest {

    private static final int KINDS = 6;
    private static final int PRODUCERS = 3;
    private static final int PARTITIONS = 3;

    @Provide
    Arbitrary<List<Integer>> operations() {
        return Arbitraries.integers().between(0, KINDS * PRODUCERS * PARTITIONS - 1).list().ofMinSize(1)
                .ofMaxSize(50);
    }

    @Property(tries = 200)
    void replayRebuildsCommittedAndPendingOffsets(@ForAll("operations") List<Integer> operations) {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        long committedOffset = 0;
        for (int op : operations) {
            int kind = op % KINDS;
            long producerId = 100 + (op / KINDS) % PRODUCERS;
            int partition = op / (KINDS * PRODUCERS);
            committedOffset++;
            long offset = committedOffset;
            switch (kind) {
                case 0 -> h.run(s -> s.offsetOps().commit(OffsetOpsTest.commit(TxnOffsetCommitTest.GROUP, "", -1,
                        "t", partition, offset, "")));
                case 1 -> h.runTransactional(producerId, TxnOffsetCommitTest.EPOCH, s -> s.txnOffsetCommitOp()
                        .commit(TxnOffsetCommitTest.txnCommit(TxnOffsetCommitTest.GROUP, producerId, "t", partition,
                                offset)));
                case 2 -> h.endTransaction(producerId, TxnOffsetCommitTest.EPOCH, true);
                case 3 -> h.endTransaction(producerId, TxnOffsetCommitTest.EPOCH, false);
                case 4 -> {
                    OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
                    topics.add(new OffsetDeleteRequestTopic().setName("t").setPartitions(List.of(
                            new OffsetDeleteRequestPartition().setPartitionIndex(partition))));
                    h.run(s -> s.offsetOps().delete(new OffsetDeleteRequestData()
                            .setGroupId(TxnOffsetCommitTest.GROUP).setTopics(topics)));
                }
                default -> h.run(s -> s.adminOps().delete(TxnOffsetCommitTest.GROUP));
            }
        }

        GroupShard replayed = ShardHarness.load(new GroupShard(0, h.shard.config(), h.time, new Random(7)), h.log,
                h.time);

        assertThat(replayed.snapshot()).isEqualTo(h.shard.snapshot());
        assertThat(replayed.pendingTxnOffsets()).isEqualTo(h.shard.pendingTxnOffsets());
    }
}
