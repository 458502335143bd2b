package io.strand.coordinator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime's contract, on shards whose state is the list of strings replayed into them and a log
 * whose commits the test drives by hand.
 */
class CoordinatorRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Its state is the records replayed, in order; remembers whether it was unloaded. */
    static class ListShard implements CoordinatorShard<String> {
        final List<String> state = new CopyOnWriteArrayList<>();
        volatile boolean loaded;
        volatile boolean unloaded;

        @Override
        public void replay(long offset, String record) {
            if (record.equals("poison")) {
                throw new IllegalStateException("cannot apply " + record);
            }
            state.add(record);
        }

        @Override
        public void replay(long offset, long producerId, short producerEpoch, String record) {
            state.add("p" + producerId + ":" + record);
        }

        @Override
        public void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
            state.add((commit ? "commit" : "abort") + " p" + producerId);
        }

        @Override
        public void onLoaded(long nowMs) {
            loaded = true;
        }

        @Override
        public void onUnloaded() {
            unloaded = true;
        }
    }

    private final ScriptedLog log = new ScriptedLog();
    private final Map<Integer, List<ListShard>> created = new ConcurrentHashMap<>();
    private CoordinatorRuntime<ListShard, String> runtime;

    private CoordinatorRuntime<ListShard, String> start(int threads, Integer... partitions) {
        runtime = new CoordinatorRuntime<>("test-coordinator", threads, 10, Time.SYSTEM, log, partition -> {
            ListShard shard = new ListShard();
            created.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(shard);
            return shard;
        });
        runtime.onLeadership(Set.of(partitions));
        for (int partition : partitions) {
            await().atMost(WAIT).until(() -> runtime.isActive(partition));
        }
        return runtime;
    }

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private ListShard shard(int partition) {
        List<ListShard> shards = created.get(partition);
        return shards.get(shards.size() - 1);
    }

    private CompletableFuture<String> write(int partition, String... records) {
        return runtime.scheduleWriteOperation(partition, "write",
                shard -> CoordinatorResult.of(List.of(records), "wrote " + String.join(",", records)));
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        await().atMost(WAIT).until(future::isDone);
        try {
            future.get();
            throw new AssertionError("expected a failure, got " + future.join());
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void responseIsHeldUntilTheAppendCommits() {
        start(1, 0);
        CompletableFuture<String> response = write(0, "a");
        await().atMost(WAIT).until(() -> log.inFlightCount() == 1);
        assertThat(shard(0).state).containsExactly("a"); // applied at once, speculatively
        assertThat(response).isNotDone();

        log.commitNext();
        assertThat(response.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo("wrote a");
    }

    @Test
    void readAfterAnUncommittedWriteSeesItButWaitsForItsCommit() {
        start(1, 0);
        CompletableFuture<String> written = write(0, "a");
        CompletableFuture<List<String>> read = runtime.scheduleReadOperation(0, "read",
                shard -> List.copyOf(shard.state));
        await().atMost(WAIT).until(() -> log.inFlightCount() == 1);
        await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> !read.isDone());

        log.commitNext();
        assertThat(read.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).containsExactly("a");
        assertThat(written).isCompleted();
    }

    @Test
    void failedAppendFailsItsResponseAndLeavesNoUncommittedState() {
        start(1, 0);
        log.autoCommit = true;
        write(0, "a").orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        log.autoCommit = false;
        ListShard before = shard(0);

        CompletableFuture<String> failed = write(0, "b");
        CompletableFuture<String> later = write(0, "c"); // built on "b": it must not survive either
        await().atMost(WAIT).until(() -> log.inFlightCount() == 2);
        log.failNext(new NotLeaderOrFollowerException("moved"));
        log.failNext(new NotLeaderOrFollowerException("moved"));

        assertThat(failureOf(failed)).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(failureOf(later)).isInstanceOf(NotLeaderOrFollowerException.class);
        await().atMost(WAIT).until(() -> runtime.isActive(0) && shard(0) != before);
        assertThat(before.unloaded).isTrue();
        assertThat(shard(0).state).containsExactly("a");
        log.autoCommit = true;
        assertThat(write(0, "d").orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo("wrote d");
        assertThat(shard(0).state).containsExactly("a", "d");
    }

    @Test
    void operationsCommittedBeforeAFailedAppendStillSucceed() {
        start(1, 0);
        CompletableFuture<String> first = write(0, "a");
        CompletableFuture<String> second = write(0, "b");
        await().atMost(WAIT).until(() -> log.inFlightCount() == 2);
        log.commitNext();
        log.failNext(new RecordTooLargeException("too large"));

        assertThat(first.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo("wrote a");
        assertThat(failureOf(second)).isInstanceOf(RecordTooLargeException.class);
        await().atMost(WAIT).until(() -> runtime.isActive(0) && created.get(0).size() == 2);
        assertThat(shard(0).state).containsExactly("a");
    }

    @Test
    void aReplayThatFailsLiveFailsTheOperationAndReloadsTheShard() {
        start(1, 0);
        log.autoCommit = true;
        write(0, "a").orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();

        assertThat(failureOf(write(0, "b", "poison"))).isInstanceOf(IllegalStateException.class);
        await().atMost(WAIT).until(() -> runtime.isActive(0) && created.get(0).size() == 2);
        assertThat(shard(0).state).containsExactly("a");
        assertThat(log.committed(0)).containsExactly("a");
    }

    @Test
    void operationThatThrowsFailsOnlyItsOwnResponse() {
        start(1, 0);
        log.autoCommit = true;
        CompletableFuture<String> thrown = runtime.scheduleWriteOperation(0, "bad", shard -> {
            throw new IllegalArgumentException("bad request");
        });
        assertThat(failureOf(thrown)).isInstanceOf(IllegalArgumentException.class);
        assertThat(write(0, "a").orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo("wrote a");
        assertThat(created.get(0)).hasSize(1);
    }

    @Test
    void operationsOfOneShardRunAndAnswerInOrder() {
        start(2, 0);
        List<CompletableFuture<String>> responses = new ArrayList<>();
        List<String> answered = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            CompletableFuture<String> response = i % 3 == 0
                    ? runtime.scheduleReadOperation(0, "read", shard -> "read " + shard.state.size())
                    : write(0, "r" + i);
            response.thenAccept(answered::add);
            responses.add(response);
        }
        await().atMost(WAIT).until(() -> log.inFlightCount() == 33);
        while (log.inFlightCount() > 0) {
            log.commitNext();
        }
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new))
                .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        List<String> expected = new ArrayList<>();
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            if (i % 3 == 0) {
                expected.add("read " + records.size());
            } else {
                records.add("r" + i);
                expected.add("wrote r" + i);
            }
        }
        assertThat(answered).containsExactlyElementsOf(expected);
        assertThat(shard(0).state).containsExactlyElementsOf(records);
    }

    @Test
    void aShardWaitingOnASlowAppendDoesNotBlockAnotherOnTheSameThread() {
        start(1, 0, 1);
        CompletableFuture<String> slow = write(0, "slow");
        await().atMost(WAIT).until(() -> log.inFlightCount() == 1);

        CompletableFuture<String> other = runtime.scheduleReadOperation(1, "read", shard -> "answered");
        assertThat(other.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo("answered");
        assertThat(slow).isNotDone();
        log.commitNext();
        assertThat(slow.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo("wrote slow");
    }

    @Test
    void loadReplaysTheCommittedLogAndUnloadFailsWhatWaits() {
        log.preload(0, "x", "y");
        start(1, 0);
        ListShard shard = shard(0);
        assertThat(shard.state).containsExactly("x", "y");
        assertThat(shard.loaded).isTrue();

        CompletableFuture<String> waiting = write(0, "z");
        await().atMost(WAIT).until(() -> log.inFlightCount() == 1);
        runtime.onLeadership(Set.of());

        assertThat(failureOf(waiting)).isInstanceOf(NotCoordinatorException.class);
        await().atMost(WAIT).until(() -> shard.unloaded);
        assertThat(failureOf(write(0, "w"))).isInstanceOf(NotCoordinatorException.class);
        log.commitNext(); // a late commit of an unloaded shard changes nothing
        assertThat(created.get(0)).hasSize(1);
    }

    @Test
    void anOperationQueuedBeforeItsPartitionMovesAwayGetsNotCoordinator() throws InterruptedException {
        start(1, 0);
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.scheduleReadOperation(0, "block", shard -> {
            blocking.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        blocking.await();
        CompletableFuture<String> queued = write(0, "a");
        runtime.onLeadership(Set.of());
        release.countDown();

        assertThat(failureOf(queued)).isInstanceOf(NotCoordinatorException.class);
        assertThat(log.inFlightCount()).isZero();
    }

    @Test
    void operationsWhileLoadingGetLoadInProgress() {
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, p -> new ListShard());
        CountDownLatch gate = log.holdLoads();
        runtime.onLeadership(Set.of(0));
        assertThat(failureOf(write(0, "a"))).isInstanceOf(CoordinatorLoadInProgressException.class);
        gate.countDown();
        await().atMost(WAIT).until(() -> runtime.isActive(0));
    }

    @Test
    void aNewLeaderEpochReloadsTheShardFromItsLog() {
        log.autoCommit = true;
        log.preload(0, "x");
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, partition -> {
            ListShard shard = new ListShard();
            created.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(shard);
            return shard;
        });
        runtime.onLeadership(Map.of(0, 1));
        await().atMost(WAIT).until(() -> runtime.isActive(0));
        ListShard first = shard(0);
        assertThat(write(0, "a").join()).isEqualTo("wrote a");

        runtime.onLeadership(Map.of(0, 2));

        await().atMost(WAIT).until(() -> first.unloaded && runtime.isActive(0));
        assertThat(created.get(0)).hasSize(2);
        assertThat(shard(0).state).containsExactly("x", "a");
    }

    @Test
    void theSameOrAnOlderLeaderEpochKeepsTheShard() {
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, partition -> {
            ListShard shard = new ListShard();
            created.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(shard);
            return shard;
        });
        runtime.onLeadership(Map.of(0, 5));
        await().atMost(WAIT).until(() -> runtime.isActive(0));

        runtime.onLeadership(Map.of(0, 5));
        runtime.onLeadership(Map.of(0, 4));

        assertThat(runtime.isActive(0)).isTrue();
        assertThat(created.get(0)).hasSize(1);
        assertThat(shard(0).unloaded).isFalse();
    }

    @Test
    void aLoadServesOnlyOnceTheRecordsItReplayedAreCommitted() {
        log.preload(0, "x");
        log.holdLoadCommits = true;
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, p -> new ListShard());
        runtime.onLeadership(Map.of(0, 1));
        await().atMost(WAIT).until(() -> log.loadCommits.size() == 1);

        assertThat(failureOf(write(0, "a"))).isInstanceOf(CoordinatorLoadInProgressException.class);
        log.loadCommits.get(0).complete(null);

        await().atMost(WAIT).until(() -> runtime.isActive(0));
    }

    @Test
    void aStaleLoadThatFinishesAfterANewerEpochIsDiscarded() {
        log.holdLoadCommits = true;
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, partition -> {
            ListShard shard = new ListShard();
            created.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(shard);
            return shard;
        });
        runtime.onLeadership(Map.of(0, 1));
        await().atMost(WAIT).until(() -> log.loadCommits.size() == 1);
        ListShard stale = shard(0);
        runtime.onLeadership(Map.of(0, 2));
        await().atMost(WAIT).until(() -> log.loadCommits.size() == 2);

        log.loadCommits.get(0).complete(null);
        await().atMost(WAIT).until(() -> stale.unloaded);
        assertThat(stale.loaded).isFalse();
        assertThat(runtime.isActive(0)).isFalse();
        assertThat(failureOf(write(0, "a"))).isInstanceOf(CoordinatorLoadInProgressException.class);

        log.loadCommits.get(1).complete(null);
        await().atMost(WAIT).until(() -> runtime.isActive(0));
        assertThat(shard(0)).isNotSameAs(stale);
        assertThat(shard(0).loaded).isTrue();
    }

    @Test
    void aLoadStillWaitingWhenThePartitionMovesAwayNeverServes() {
        log.holdLoadCommits = true;
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, p -> new ListShard());
        runtime.onLeadership(Map.of(0, 1));
        await().atMost(WAIT).until(() -> log.loadCommits.size() == 1);
        runtime.onLeadership(Map.of());

        log.loadCommits.get(0).complete(null);

        assertThat(failureOf(write(0, "a"))).isInstanceOf(NotCoordinatorException.class);
        assertThat(runtime.isActive(0)).isFalse();
    }

    @Test
    void anAppendFailedByLostLeadershipEndsInNotCoordinatorOnceTheReloadFindsNoLeadership() {
        start(1, 0);
        CompletableFuture<String> lost = write(0, "a");
        await().atMost(WAIT).until(() -> log.inFlightCount() == 1);
        log.loadFailure = new NotLeaderOrFollowerException("not the leader any more");

        log.failNext(new NotLeaderOrFollowerException("not the leader any more"));

        assertThat(failureOf(lost)).isInstanceOf(NotLeaderOrFollowerException.class);
        await().atMost(WAIT).until(() -> failureOf(write(0, "b")) instanceof NotCoordinatorException);
    }

    @Test
    void aLoadThatFailsIsTriedAgainWhileThePartitionIsStillLedAtItsEpoch() {
        log.autoCommit = true;
        log.preload(0, "x");
        log.loadFailure = new NotLeaderOrFollowerException("the replica layer does not lead it yet");
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, partition -> {
            ListShard shard = new ListShard();
            created.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(shard);
            return shard;
        });
        runtime.onLeadership(Map.of(0, 3, 1, 3));
        await().atMost(WAIT).until(() -> failureOf(write(0, "a")) instanceof NotCoordinatorException);

        log.loadFailure = null; // no new leadership comes: the retry alone loads the shard

        await().atMost(WAIT).until(() -> runtime.isActive(0) && runtime.isActive(1));
        assertThat(shard(0).state).containsExactly("x");
    }

    @Test
    void aFailedLoadIsNotTriedAgainOnceThePartitionIsLedNoMore() {
        log.loadFailure = new NotLeaderOrFollowerException("not the leader any more");
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 10, Time.SYSTEM, log, partition -> {
            ListShard shard = new ListShard();
            created.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(shard);
            return shard;
        });
        runtime.onLeadership(Map.of(0, 3));
        await().atMost(WAIT).until(() -> created.containsKey(0));
        runtime.onLeadership(Map.of());
        log.loadFailure = null;

        await().during(Duration.ofMillis(2 * CoordinatorRuntime.LOAD_RETRY_MS)).atMost(WAIT)
                .until(() -> !runtime.isActive(0));
        assertThat(failureOf(write(0, "a"))).isInstanceOf(NotCoordinatorException.class);
    }

    @Test
    void ticksWriteTheirRecords() {
        log.autoCommit = true;
        runtime = new CoordinatorRuntime<>("test-coordinator", 1, 5, Time.SYSTEM, log, p -> new ListShard() {
            private boolean ticked;

            @Override
            public CoordinatorResult<Void, String> onTick(long nowMs) {
                if (ticked) {
                    return CoordinatorResult.empty();
                }
                ticked = true;
                return CoordinatorResult.of(List.of("tick"), null);
            }
        });
        runtime.onLeadership(Set.of(0));
        await().atMost(WAIT).until(() -> log.committed(0).equals(List.of("tick")));
    }

    @Test
    void closeFailsWaitingResponsesAndEndsTheThreads() {
        start(1, 0);
        CompletableFuture<String> waiting = write(0, "a");
        await().atMost(WAIT).until(() -> log.inFlightCount() == 1);
        runtime.close();
        assertThat(failureOf(waiting)).isInstanceOf(NotCoordinatorException.class);
        assertThatThrownBy(() -> write(0, "b").join()).hasCauseInstanceOf(NotCoordinatorException.class);
    }

    @Test
    void aTransactionalWriteAndItsMarkerAreAppliedInOrderAndAnsweredOnceCommitted() {
        start(1, 0);
        CompletableFuture<String> written = runtime.scheduleTransactionalWriteOperation(0, "txn-write", 5L, (short) 1,
                shard -> CoordinatorResult.of(List.of("a"), "wrote a"));
        CompletableFuture<Void> marker = runtime.scheduleTransactionCompletion(0, "txn-commit", 5L, (short) 1, 0, true);
        await().atMost(WAIT).until(() -> log.inFlightCount() == 2);
        assertThat(shard(0).state).containsExactly("p5:a", "commit p5");
        assertThat(written).isNotDone();
        assertThat(marker).isNotDone();

        log.commitNext();
        assertThat(written.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo("wrote a");
        assertThat(marker).isNotDone();
        log.commitNext();
        marker.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(log.committed(0)).containsExactly("p5:a", "commit p5");
    }

    @Test
    void aRefusedMarkerFailsItsCallerAndReloadsTheShardFromTheCommittedLog() {
        log.preload(0, "x");
        start(1, 0);
        ListShard before = shard(0);
        CompletableFuture<Void> marker = runtime.scheduleTransactionCompletion(0, "txn-abort", 5L, (short) 1, 0, false);
        await().atMost(WAIT).until(() -> log.inFlightCount() == 1);

        log.failNext(new org.apache.kafka.common.errors.InvalidProducerEpochException("older epoch"));

        assertThat(failureOf(marker)).isInstanceOf(org.apache.kafka.common.errors.InvalidProducerEpochException.class);
        await().atMost(WAIT).until(() -> runtime.isActive(0) && shard(0) != before);
        assertThat(before.unloaded).isTrue();
        assertThat(shard(0).state).containsExactly("x");
    }

    @Test
    void aMarkerForAPartitionNotLedHereFailsWithNotCoordinator() {
        start(1, 0);

        assertThat(failureOf(runtime.scheduleTransactionCompletion(1, "txn-commit", 5L, (short) 1, 0, true)))
                .isInstanceOf(NotCoordinatorException.class);
    }
}
