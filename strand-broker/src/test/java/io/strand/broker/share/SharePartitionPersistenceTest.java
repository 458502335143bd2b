package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.coordinator.share.StateBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** What a share-partition writes to its {@link SharePartition.StateWriter}, when, and how it is rebuilt. */
class SharePartitionPersistenceTest {

    private static final int LOCK_MS = 30_000;
    private static final int DELIVERY_LIMIT = 3;

    /** One call of the writer, answered by the test. */
    private record Write(long startOffset, int deliveryCompleteCount, List<StateBatch> batches,
                         CompletableFuture<Errors> outcome) {
    }

    private final List<Write> writes = new ArrayList<>();
    private final SharePartition partition = new SharePartition(10, LOCK_MS, DELIVERY_LIMIT, 100,
            (startOffset, completeCount, batches) -> {
                CompletableFuture<Errors> outcome = new CompletableFuture<>();
                writes.add(new Write(startOffset, completeCount, batches, outcome));
                return outcome;
            });

    @Test
    void anAcknowledgementIsWrittenBeforeItTakesEffect() {
        partition.acquire("a", 10, 14, 100, 0);

        CompletableFuture<Errors> acked = partition.acknowledge("a", List.of(
                new SharePartition.Acknowledgement(10, 12, List.of(SharePartition.ACCEPT, SharePartition.ACCEPT,
                        SharePartition.RELEASE))), 1);

        assertThat(writes).hasSize(1);
        Write write = writes.get(0);
        assertThat(write.startOffset()).as("the start offset before the acknowledgement, as Kafka writes it")
                .isEqualTo(10);
        assertThat(write.deliveryCompleteCount()).as("10 and 11 acknowledged").isEqualTo(2);
        assertThat(write.batches()).containsExactly(new StateBatch(10, 11, StateBatch.ACKNOWLEDGED, (short) 1),
                new StateBatch(12, 12, StateBatch.AVAILABLE, (short) 1));
        assertThat(acked).isNotDone();
        assertThat(partition.state(10)).as("unchanged until written").isEqualTo(RecordState.ACQUIRED);
        assertThat(partition.acknowledge("a", List.of(new SharePartition.Acknowledgement(10, 10,
                List.of(SharePartition.ACCEPT))), 1).join()).as("being written").isEqualTo(Errors.INVALID_RECORD_STATE);
        partition.releaseAll("a", 1);
        assertThat(writes).as("the release leaves records being written alone").hasSize(2);
        assertThat(writes.get(1).batches()).containsExactly(new StateBatch(13, 14, StateBatch.AVAILABLE, (short) 1));

        write.outcome().complete(Errors.NONE);

        assertThat(acked.join()).isEqualTo(Errors.NONE);
        assertThat(partition.startOffset()).isEqualTo(12);
        assertThat(partition.state(12)).isEqualTo(RecordState.AVAILABLE);
        assertThat(partition.state(13)).as("its release is still being written").isEqualTo(RecordState.ACQUIRED);
    }

    @Test
    void aFailedWriteFailsTheAcknowledgementAndLeavesTheRecordsAcquired() {
        partition.acquire("a", 10, 11, 100, 0);
        CompletableFuture<Errors> acked = partition.acknowledge("a", List.of(ack(10, 11, SharePartition.ACCEPT)), 1);

        writes.get(0).outcome().complete(Errors.COORDINATOR_NOT_AVAILABLE);

        assertThat(acked.join()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(partition.state(10)).isEqualTo(RecordState.ACQUIRED);
        assertThat(partition.startOffset()).isEqualTo(10);
        CompletableFuture<Errors> again = partition.acknowledge("a", List.of(ack(10, 11, SharePartition.ACCEPT)), 2);
        writes.get(1).outcome().complete(Errors.NONE);
        assertThat(again.join()).isEqualTo(Errors.NONE);
        assertThat(partition.startOffset()).isEqualTo(12);
    }

    @Test
    void acquisitionsAndRenewalsAreNotWrittenAndALockExpiryIsWrittenAfterItTookEffect() {
        partition.acquire("a", 10, 11, 100, 0);
        partition.acknowledge("a", List.of(ack(10, 10, SharePartition.RENEW)), 1);
        assertThat(writes).isEmpty();

        assertThat(partition.nextFetchOffset(LOCK_MS)).as("11's lock expired").isEqualTo(11);

        assertThat(partition.state(11)).isEqualTo(RecordState.AVAILABLE);
        assertThat(writes).hasSize(1);
        assertThat(writes.get(0).batches()).containsExactly(new StateBatch(11, 11, StateBatch.AVAILABLE, (short) 1));
        assertThat(writes.get(0).startOffset()).isEqualTo(10);
    }

    @Test
    void aLockExpiryThatArchivesIsWrittenWithTheStartOffsetBeforeIt() {
        for (int delivery = 1; delivery <= DELIVERY_LIMIT; delivery++) {
            partition.acquire("a", 10, 10, 100, (long) (delivery - 1) * LOCK_MS);
        }
        partition.nextFetchOffset((long) DELIVERY_LIMIT * LOCK_MS);

        Write last = writes.get(writes.size() - 1);
        assertThat(last.batches()).containsExactly(new StateBatch(10, 10, StateBatch.ARCHIVED, (short) DELIVERY_LIMIT));
        assertThat(last.startOffset()).as("before the expiry, as Kafka writes it").isEqualTo(10);
        assertThat(last.deliveryCompleteCount()).isEqualTo(1);
        assertThat(partition.startOffset()).isEqualTo(11);
    }

    @Test
    void aReleaseAtTheDeliveryLimitIsWrittenArchived() {
        for (int delivery = 1; delivery < DELIVERY_LIMIT; delivery++) {
            partition.acquire("a", 10, 10, 100, 0);
            partition.acknowledge("a", List.of(ack(10, 10, SharePartition.RELEASE)), 0);
            writes.get(writes.size() - 1).outcome().complete(Errors.NONE);
        }
        partition.acquire("a", 10, 10, 100, 0);
        partition.acknowledge("a", List.of(ack(10, 10, SharePartition.RELEASE)), 0);

        Write last = writes.get(writes.size() - 1);
        assertThat(last.batches()).containsExactly(new StateBatch(10, 10, StateBatch.ARCHIVED, (short) 3));
        assertThat(last.startOffset()).as("before the release").isEqualTo(10);
        assertThat(last.deliveryCompleteCount()).isEqualTo(1);
    }

    @Test
    void aRestoredPartitionRedeliversWhatIsNotDoneWithItsDeliveryCount() {
        SharePartition restored = SharePartition.restored(10, List.of(
                new StateBatch(10, 11, StateBatch.ACKNOWLEDGED, (short) 1),
                new StateBatch(12, 12, StateBatch.AVAILABLE, (short) 2),
                new StateBatch(14, 14, StateBatch.ARCHIVED, (short) 1),
                new StateBatch(15, 15, StateBatch.ACQUIRED, (short) 1)), LOCK_MS, DELIVERY_LIMIT, 100,
                SharePartition.StateWriter.NONE);

        assertThat(restored.startOffset()).as("past the acknowledged prefix").isEqualTo(12);
        assertThat(restored.endOffset()).isEqualTo(16);
        assertThat(restored.acquire("b", 10, 17, 100, 0)).as("on its last delivery: alone")
                .containsExactly(range(12, 12, 3));
        assertThat(restored.acquire("b", 10, 17, 100, 0)).containsExactly(
                range(13, 13, 1), range(15, 15, 2), range(16, 17, 1));
        assertThat(restored.state(14)).isEqualTo(RecordState.ARCHIVED);
    }

    private static SharePartition.Acknowledgement ack(long first, long last, byte type) {
        return new SharePartition.Acknowledgement(first, last, List.of(type));
    }

    private static AcquiredRecords range(long first, long last, int deliveryCount) {
        return new AcquiredRecords().setFirstOffset(first).setLastOffset(last).setDeliveryCount((short) deliveryCount);
    }
}
