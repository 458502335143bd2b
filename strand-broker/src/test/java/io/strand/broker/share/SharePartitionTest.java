package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class SharePartitionTest {

    private static final int LOCK_MS = 30_000;
    private static final int DELIVERY_LIMIT = 3;
    private static final int MAX_LOCKS = 100;

    private final SharePartition partition = new SharePartition(10, LOCK_MS, DELIVERY_LIMIT, MAX_LOCKS);

    @Test
    void acquiresNewRecordsForOneMemberWithDeliveryCountOne() {
        assertThat(partition.nextFetchOffset(0)).isEqualTo(10);
        List<AcquiredRecords> acquired = partition.acquire("a", 10, 14, 100, 0);

        assertThat(acquired).containsExactly(range(10, 14, 1));
        assertThat(partition.state(12)).isEqualTo(RecordState.ACQUIRED);
        assertThat(partition.endOffset()).isEqualTo(15);
        assertThat(partition.nextFetchOffset(0)).isEqualTo(15);
        assertThat(partition.acquire("b", 10, 14, 100, 0)).as("already acquired by a").isEmpty();
    }

    @Test
    void batchOptimizedAcquisitionTakesWholeLogBatchesOfNewRecordsInRangesOfAboutTheBatchSize() {
        // log batches 10-14, 15-17, 18-19
        SharePartition.Batching batching = new SharePartition.Batching(new TreeSet<>(List.of(14L, 17L, 19L)), 3, false);

        assertThat(partition.acquire("a", 10, 19, 3, 0, offset -> false, batching))
                .as("max records is a soft limit: the batch holding the third record is taken whole")
                .containsExactly(range(10, 14, 1));
        assertThat(partition.acquire("b", 15, 19, 4, 0, offset -> false,
                        new SharePartition.Batching(new TreeSet<>(List.of(17L, 19L)), 2, false)))
                .as("split where a batch starts at least batch size records after the range's first")
                .containsExactly(range(15, 17, 1), range(18, 19, 1));
    }

    @Test
    void batchOptimizedAcquisitionTakesAnInFlightBatchWholeAndAnswersItApartFromNewRecords() {
        SharePartition partition = new SharePartition(10, LOCK_MS, 10, MAX_LOCKS); // no throttling yet
        SharePartition.Batching batching = new SharePartition.Batching(new TreeSet<>(List.of(14L, 17L)), 10, false);
        partition.acquire("a", 10, 14, 100, 0, offset -> false, batching);
        partition.releaseAll("a", 0);
        partition.acquire("a", 10, 10, 1, 0); // 10 alone, record-limit: 11-14 stay one batch in flight
        partition.releaseAll("a", 0);

        assertThat(partition.acquire("b", 10, 17, 2, 0, offset -> false, batching))
                .as("the in-flight batch 10-14 whole (10 now delivered once more), not the new batch 15-17")
                .containsExactly(range(10, 10, 3), range(11, 14, 2));
    }

    @Test
    void aBatchDeliveredOftenIsThrottledAndARecordOnItsLastDeliveryGoesAlone() {
        SharePartition partition = new SharePartition(0, LOCK_MS, 5, MAX_LOCKS); // throttled from 3 deliveries
        SharePartition.Batching batching = new SharePartition.Batching(new TreeSet<>(List.of(7L)), 100, false);
        for (int delivery = 1; delivery <= 3; delivery++) {
            assertThat(partition.acquire("a", 0, 7, 100, 0, offset -> false, batching))
                    .containsExactly(range(0, 7, delivery));
            partition.releaseAll("a", 0);
        }

        assertThat(partition.acquire("a", 0, 7, 100, 0, offset -> false, batching))
                .as("delivered 3 times: the batch alone, half of it").containsExactly(range(0, 3, 4));
        partition.releaseAll("a", 0);
        assertThat(partition.acquire("a", 0, 7, 100, 0, offset -> false, batching))
                .as("on its last delivery: alone").containsExactly(range(0, 0, 5));
        assertThat(partition.acquire("b", 0, 7, 100, 0, offset -> false, batching)).containsExactly(range(1, 1, 5));
    }

    @Test
    void recordLimitAcquisitionLeavesTheRestOfTheLogBatchInFlightAndAnswersItApartFromNewRecords() {
        SharePartition.Batching batching = new SharePartition.Batching(new TreeSet<>(List.of(14L, 17L)), 10, true);

        assertThat(partition.acquire("a", 10, 17, 3, 0, offset -> false, batching)).containsExactly(range(10, 12, 1));
        assertThat(partition.endOffset()).as("13 and 14 in flight, available").isEqualTo(15);
        assertThat(partition.state(13)).isEqualTo(RecordState.AVAILABLE);
        assertThat(partition.acquire("a", 13, 17, 3, 0, offset -> false, batching))
                .containsExactly(range(13, 14, 1), range(15, 15, 1));
    }

    @Test
    void acknowledgementsBelowTheStartOffsetAreSkipped() {
        partition.acquire("a", 10, 12, 100, 0);
        assertThat(acknowledge(partition, "a", List.of(ack(10, 10, SharePartition.ACCEPT)), 0)).isEqualTo(Errors.NONE);

        assertThat(acknowledge(partition, "a", List.of(ack(9, 11, SharePartition.ACCEPT)), 0))
                .as("9 and 10 are done, 11 is accepted").isEqualTo(Errors.NONE);
        assertThat(partition.startOffset()).isEqualTo(12);
        assertThat(acknowledge(partition, "a", List.of(ack(5, 11, SharePartition.REJECT)), 0)).isEqualTo(Errors.NONE);
        assertThat(partition.state(12)).isEqualTo(RecordState.ACQUIRED);
    }

    @Test
    void acquiresAtMostMaxRecords() {
        assertThat(partition.acquire("a", 10, 19, 4, 0)).containsExactly(range(10, 13, 1));
        assertThat(partition.acquire("b", 10, 19, 100, 0)).containsExactly(range(14, 19, 1));
    }

    @Test
    void acceptAcknowledgesAndMovesTheStartOffsetOverTheCompletedPrefix() {
        partition.acquire("a", 10, 14, 100, 0);

        assertThat(acknowledge(partition, "a", List.of(ack(12, 14, SharePartition.ACCEPT)), 1)).isEqualTo(Errors.NONE);
        assertThat(partition.startOffset()).as("10 and 11 still acquired").isEqualTo(10);
        assertThat(partition.state(13)).isEqualTo(RecordState.ACKNOWLEDGED);

        assertThat(acknowledge(partition, "a", List.of(ack(10, 11, SharePartition.ACCEPT)), 1)).isEqualTo(Errors.NONE);
        assertThat(partition.startOffset()).isEqualTo(15);
        assertThat(partition.state(13)).as("no longer in flight").isNull();
    }

    @Test
    void releaseMakesRecordsAvailableAndTheNextAcquisitionCountsASecondDelivery() {
        partition.acquire("a", 10, 12, 100, 0);

        assertThat(acknowledge(partition, "a", List.of(ack(10, 12, SharePartition.RELEASE)), 1)).isEqualTo(Errors.NONE);
        assertThat(partition.state(11)).isEqualTo(RecordState.AVAILABLE);
        assertThat(partition.nextFetchOffset(1)).isEqualTo(10);

        assertThat(partition.acquire("b", 10, 12, 100, 2)).containsExactly(range(10, 12, 2));
    }

    @Test
    void rejectAndGapArchive() {
        partition.acquire("a", 10, 12, 100, 0);

        Errors error = acknowledge(partition, "a", List.of(new SharePartition.Acknowledgement(10, 12,
                List.of(SharePartition.REJECT, SharePartition.GAP, SharePartition.ACCEPT))), 1);

        assertThat(error).isEqualTo(Errors.NONE);
        assertThat(partition.startOffset()).isEqualTo(13);
        assertThat(partition.nextFetchOffset(1)).isEqualTo(13);
    }

    @Test
    void anExpiredLockMakesTheRecordAvailableAgain() {
        partition.acquire("a", 10, 11, 100, 1_000);

        assertThat(partition.nextFetchOffset(1_000 + LOCK_MS - 1)).as("still locked").isEqualTo(12);
        assertThat(partition.nextFetchOffset(1_000 + LOCK_MS)).isEqualTo(10);
        assertThat(partition.state(10)).isEqualTo(RecordState.AVAILABLE);
        assertThat(acknowledge(partition, "a", List.of(ack(10, 11, SharePartition.ACCEPT)), 1_000 + LOCK_MS))
                .as("the lock is gone").isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(partition.acquire("b", 10, 11, 100, 1_000 + LOCK_MS)).containsExactly(range(10, 11, 2));
    }

    @Test
    void renewExtendsTheLock() {
        partition.acquire("a", 10, 10, 100, 0);

        assertThat(acknowledge(partition, "a", List.of(ack(10, 10, SharePartition.RENEW)), LOCK_MS - 1))
                .isEqualTo(Errors.NONE);

        assertThat(partition.state(10)).isEqualTo(RecordState.ACQUIRED);
        assertThat(partition.nextFetchOffset(2 * LOCK_MS - 2)).isEqualTo(11);
        assertThat(partition.nextFetchOffset(2 * LOCK_MS - 1)).isEqualTo(10);
    }

    @Test
    void aRecordReleasedOrTimedOutAtTheDeliveryLimitIsArchived() {
        long nowMs = 0;
        for (int delivery = 1; delivery < DELIVERY_LIMIT; delivery++) {
            assertThat(partition.acquire("a", 10, 10, 100, nowMs)).containsExactly(range(10, 10, delivery));
            nowMs += LOCK_MS; // the lock expires
        }
        assertThat(partition.acquire("a", 10, 10, 100, nowMs)).containsExactly(range(10, 10, DELIVERY_LIMIT));

        assertThat(acknowledge(partition, "a", List.of(ack(10, 10, SharePartition.RELEASE)), nowMs))
                .isEqualTo(Errors.NONE);

        assertThat(partition.startOffset()).as("archived, so done").isEqualTo(11);
        assertThat(partition.nextFetchOffset(nowMs)).isEqualTo(11);
    }

    @Test
    void theInFlightLimitCapsAcquisitionUntilTheStartOffsetMoves() {
        SharePartition small = new SharePartition(0, LOCK_MS, DELIVERY_LIMIT, 5);

        assertThat(small.acquire("a", 0, 9, 100, 0)).containsExactly(range(0, 4, 1));
        assertThat(small.nextFetchOffset(0)).as("nothing acquirable").isEqualTo(-1);
        assertThat(small.acquire("b", 5, 9, 100, 0)).isEmpty();

        acknowledge(small, "a", List.of(ack(0, 1, SharePartition.ACCEPT)), 0);

        assertThat(small.nextFetchOffset(0)).isEqualTo(5);
        assertThat(small.acquire("b", 5, 9, 100, 0)).containsExactly(range(5, 6, 1));
    }

    @Test
    void acknowledgementsAreAllOrNothingAndOnlyByTheHolder() {
        partition.acquire("a", 10, 12, 100, 0);

        assertThat(acknowledge(partition, "b", List.of(ack(10, 10, SharePartition.ACCEPT)), 0))
                .isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(acknowledge(partition, "a", List.of(ack(10, 11, SharePartition.ACCEPT), ack(12, 13,
                SharePartition.ACCEPT)), 0)).as("13 was never acquired: past the last acquired, as Kafka")
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(acknowledge(partition, "a", List.of(new SharePartition.Acknowledgement(10, 12,
                List.of(SharePartition.ACCEPT, SharePartition.ACCEPT))), 0)).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(acknowledge(partition, "a", List.of(ack(10, 10, (byte) 9)), 0)).isEqualTo(Errors.INVALID_REQUEST);

        assertThat(partition.state(10)).isEqualTo(RecordState.ACQUIRED);
        assertThat(partition.state(11)).isEqualTo(RecordState.ACQUIRED);
        assertThat(partition.startOffset()).isEqualTo(10);
    }

    @Test
    void releasingAllOfAMemberLeavesOthersRecordsAlone() {
        partition.acquire("a", 10, 11, 100, 0);
        partition.acquire("b", 10, 13, 100, 0);

        partition.releaseAll("a", 1);

        assertThat(partition.state(10)).isEqualTo(RecordState.AVAILABLE);
        assertThat(partition.state(12)).isEqualTo(RecordState.ACQUIRED);
    }

    @Test
    void recordsDeletedFromTheLogAreSkipped() {
        partition.acquire("a", 10, 14, 100, 0);

        partition.maybeSkipTo(13);

        assertThat(partition.startOffset()).isEqualTo(13);
        assertThat(partition.state(12)).isNull();
        assertThat(partition.state(13)).isEqualTo(RecordState.ACQUIRED);
        partition.maybeSkipTo(20);
        assertThat(partition.nextFetchOffset(0)).isEqualTo(20);
    }

    private static SharePartition.Acknowledgement ack(long first, long last, byte type) {
        return new SharePartition.Acknowledgement(first, last, List.of(type));
    }

    private static AcquiredRecords range(long first, long last, int deliveryCount) {
        return new AcquiredRecords().setFirstOffset(first).setLastOffset(last).setDeliveryCount((short) deliveryCount);
    }

    private static Errors acknowledge(SharePartition share, String memberId, List<SharePartition.Acknowledgement> batches,
                                      long nowMs) {
        return share.acknowledge(memberId, batches, nowMs).join();
    }
}
