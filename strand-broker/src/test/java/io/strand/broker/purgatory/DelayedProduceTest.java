package io.strand.broker.purgatory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class DelayedProduceTest {

    private final Map<Integer, Errors> answers = new ConcurrentHashMap<>();

    private DelayedProduce.Waiting waiting(int partition, CompletableFuture<Void> replicated,
                                           AtomicReference<Errors> afterReplicated) {
        return new DelayedProduce.Waiting(replicated, afterReplicated::get, error -> {
            Errors previous = answers.put(partition, error);
            assertThat(previous).as("answered once").isNull();
        });
    }

    @Test
    void completesWhenEveryPartitionIsReplicated() {
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        AtomicReference<Errors> ok = new AtomicReference<>(Errors.NONE);
        DelayedProduce produce = new DelayedProduce(List.of(waiting(0, first, ok), waiting(1, second, ok)));
        CompletableFuture<Void> done = produce.start(null, 1000);

        first.complete(null);
        assertThat(done).isNotDone();
        assertThat(answers).containsExactly(Map.entry(0, Errors.NONE));
        second.complete(null);
        assertThat(done).isCompleted();
        assertThat(answers).containsEntry(1, Errors.NONE);

        produce.expire();
        assertThat(answers).containsEntry(0, Errors.NONE).containsEntry(1, Errors.NONE);
    }

    @Test
    void theTimeoutAnswersThePartitionsNotReplicatedYet() {
        CompletableFuture<Void> replicated = new CompletableFuture<>();
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        AtomicReference<Errors> ok = new AtomicReference<>(Errors.NONE);
        DelayedProduce produce = new DelayedProduce(List.of(waiting(0, replicated, ok), waiting(1, stuck, ok)));
        CompletableFuture<Void> done = produce.start(null, 1000);
        replicated.complete(null);

        produce.expire();
        assertThat(done).isCompleted();
        assertThat(answers).containsEntry(0, Errors.NONE).containsEntry(1, Errors.REQUEST_TIMED_OUT);
        stuck.complete(null);
        assertThat(answers).containsEntry(1, Errors.REQUEST_TIMED_OUT);
    }

    @Test
    void anIsrThatShrankBelowTheMinimumMeanwhileFailsAfterAppend() {
        CompletableFuture<Void> replicated = new CompletableFuture<>();
        AtomicReference<Errors> check = new AtomicReference<>(Errors.NONE);
        DelayedProduce produce = new DelayedProduce(List.of(waiting(0, replicated, check)));
        CompletableFuture<Void> done = produce.start(null, 1000);
        check.set(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        replicated.complete(null);
        assertThat(done).isCompleted();
        assertThat(answers).containsExactly(Map.entry(0, Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND));
    }

    @Test
    void aLostLeadershipAnswersNotLeader() {
        CompletableFuture<Void> replicated = new CompletableFuture<>();
        DelayedProduce produce = new DelayedProduce(List.of(waiting(0, replicated, new AtomicReference<>(Errors.NONE))));
        CompletableFuture<Void> done = produce.start(null, 1000);
        replicated.completeExceptionally(new NotLeaderOrFollowerException("lost"));
        assertThat(done).isCompleted();
        assertThat(answers).containsExactly(Map.entry(0, Errors.NOT_LEADER_OR_FOLLOWER));
    }
}
