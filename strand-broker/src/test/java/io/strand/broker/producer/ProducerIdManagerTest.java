package io.strand.broker.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ProducerIdManagerTest {

    @Test
    void handsOutUniqueIdsAcrossBlocksAllocatedSynchronously() {
        List<Integer> requests = new ArrayList<>();
        long[] next = {0};
        ProducerIdManager manager = new ProducerIdManager(size -> {
            requests.add(size);
            long first = next[0];
            next[0] += size;
            return CompletableFuture.completedFuture(first);
        });
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 2500; i++) {
            ids.add(manager.nextProducerId().join());
        }
        assertThat(ids).hasSize(2500);
        assertThat(requests).hasSizeBetween(3, 4);
    }

    @Test
    void waitsForAnAsynchronousBlock() {
        CompletableFuture<Long> block = new CompletableFuture<>();
        ProducerIdManager manager = new ProducerIdManager(size -> block);
        CompletableFuture<Long> first = manager.nextProducerId();
        CompletableFuture<Long> second = manager.nextProducerId();
        assertThat(first).isNotDone();
        block.complete(5000L);
        assertThat(List.of(first.join(), second.join())).containsExactlyInAnyOrder(5000L, 5001L);
    }

    @Test
    void aFailedAllocationFailsTheCallerAndIsRetried() {
        int[] calls = {0};
        ProducerIdManager manager = new ProducerIdManager(size -> ++calls[0] == 1
                ? CompletableFuture.failedFuture(new IllegalStateException("no leader"))
                : CompletableFuture.completedFuture(100L));
        assertThat(manager.nextProducerId()).isCompletedExceptionally();
        assertThat(manager.nextProducerId().join()).isEqualTo(100L);
    }
}
