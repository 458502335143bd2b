package io.strand.broker.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ProducerIdManagerTest {

    @Test
    void handsOutIdsInOrderAcrossBlocksFetchedAhead() {
        List<Integer> requests = new ArrayList<>();
        long[] next = {0};
        ProducerIdManager manager = new ProducerIdManager(size -> {
            requests.add(size);
            long first = next[0];
            next[0] += size;
            return CompletableFuture.completedFuture(first);
        });
        // The first call finds no block and only asks for one.
        assertThat(manager.tryNextProducerId()).isEqualTo(-1L);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            ids.add(manager.tryNextProducerId());
        }
        // Later blocks are fetched ahead (at nine-tenths), so no call finds none.
        assertThat(ids).startsWith(0L, 1L).endsWith(2498L, 2499L).doesNotHaveDuplicates().doesNotContain(-1L);
        assertThat(requests).hasSize(3).containsOnly(ProducerIdManager.BLOCK_SIZE);
    }

    @Test
    void aCallWithoutAnIdAtHandTakesNoneAndRequestsTheBlockOnce() {
        CompletableFuture<Long> block = new CompletableFuture<>();
        int[] calls = {0};
        ProducerIdManager manager = new ProducerIdManager(size -> {
            calls[0]++;
            return block;
        });
        assertThat(manager.tryNextProducerId()).isEqualTo(-1L);
        assertThat(manager.tryNextProducerId()).isEqualTo(-1L);
        assertThat(calls[0]).isEqualTo(1);
        block.complete(5000L);
        // The calls that found no id took none: the block is handed out from its first id.
        assertThat(manager.tryNextProducerId()).isEqualTo(5000L);
        assertThat(manager.tryNextProducerId()).isEqualTo(5001L);
    }

    @Test
    void aFailedAllocationIsAskedForAgainByTheNextCall() {
        int[] calls = {0};
        CompletableFuture<Long> second = new CompletableFuture<>();
        ProducerIdManager manager = new ProducerIdManager(size -> ++calls[0] == 1
                ? CompletableFuture.failedFuture(new IllegalStateException("no leader"))
                : second);
        assertThat(manager.tryNextProducerId()).isEqualTo(-1L);
        assertThat(manager.tryNextProducerId()).isEqualTo(-1L);
        assertThat(calls[0]).isEqualTo(2);
        second.complete(3000L);
        assertThat(manager.tryNextProducerId()).isEqualTo(3000L);
    }
}
