package io.strand.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The shape of the transactional workload's transactions, without a cluster. */
class TransactionalProducerWorkloadTest {

    @Test
    void everyTransactionSpansAtLeastTwoPartitionsWithTwoToFiveRecords() {
        for (long number = 0; number < 100; number++) {
            List<Integer> partitions = TransactionalProducerWorkload.partitionsOf(number, 3);

            assertThat(partitions).hasSizeBetween(TransactionalProducerWorkload.MIN_RECORDS,
                    TransactionalProducerWorkload.MAX_RECORDS).allSatisfy(p -> assertThat(p).isBetween(0, 2));
            assertThat(new HashSet<>(partitions)).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void everyFifthTransactionIsAbortedOnPurpose() {
        assertThat(LongStream.range(0, 20).filter(TransactionalProducerWorkload::abortsOnPurpose).boxed().toList())
                .containsExactly(4L, 9L, 14L, 19L);
    }
}
