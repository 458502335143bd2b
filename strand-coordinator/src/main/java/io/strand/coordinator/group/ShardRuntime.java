package io.strand.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the {@link GroupShard}s live and run: one per {@code __consumer_offsets} partition this
 * broker leads, each LOADING (its log being replayed) and then ACTIVE.
 *
 * <p>Threads: {@code group.coordinator.threads} single-threaded executors; a shard always runs on
 * executor {@code partition % threads}, so its operations, timeouts (polled every {@value #TICK_MS}
 * ms) and offset expiry run one at a time in arrival order. Every method is thread-safe: it only
 * enqueues work for a shard's thread.
 */
final class ShardRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShardRuntime.class);
    static final long TICK_MS = 50;

    private enum Status { LOADING, ACTIVE }

    private static final class Slot {
        final GroupShard shard;
        volatile Status status = Status.LOADING;

        Slot(GroupShard shard) {
            this.shard = shard;
        }
    }

    private final GroupCoordinatorConfig config;
    private final OffsetsTopicLog log;
    private final Time time;
    private final Random random;
    private final java.util.function.Supplier<Map<String, Integer>> topicPartitionCounts;
    private final ScheduledExecutorService[] threads;
    private final ConcurrentHashMap<Integer, Slot> slots = new ConcurrentHashMap<>();
    private boolean closed;

    ShardRuntime(GroupCoordinatorConfig config, OffsetsTopicLog log, Time time, Random random,
                 java.util.function.Supplier<Map<String, Integer>> topicPartitionCounts) {
        this.topicPartitionCounts = topicPartitionCounts;
        this.config = config;
        this.log = log;
        this.time = time;
        this.random = random;
        this.threads = new ScheduledExecutorService[config.threads()];
        for (int i = 0; i < threads.length; i++) {
            int index = i;
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "strand-group-coordinator-" + index);
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            threads[i] = executor;
            executor.scheduleWithFixedDelay(() -> onEachActiveShard(index, GroupShard::poll, "timeouts"),
                    TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
            executor.scheduleWithFixedDelay(() -> onEachActiveShard(index, s -> s.offsetOps().expire(), "offset expiry"),
                    config.offsetsRetentionCheckIntervalMs(), config.offsetsRetentionCheckIntervalMs(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Loads shards for newly led partitions and unloads those of partitions no longer led. */
    synchronized void onLeadership(Set<Integer> ledPartitions) {
        if (closed) {
            return;
        }
        for (int partition : ledPartitions) {
            if (!slots.containsKey(partition)) {
                Slot slot = new Slot(new GroupShard(partition, config, log, time, random, topicPartitionCounts));
                slots.put(partition, slot);
                executor(partition).execute(() -> load(partition, slot));
            }
        }
        for (Integer partition : new ArrayList<>(slots.keySet())) {
            if (!ledPartitions.contains(partition)) {
                Slot slot = slots.remove(partition);
                executor(partition).execute(() -> {
                    slot.shard.unload();
                    LOG.info("Unloaded group coordinator for __consumer_offsets-{}", partition);
                });
            }
        }
    }

    boolean isActive(int partition) {
        Slot slot = slots.get(partition);
        return slot != null && slot.status == Status.ACTIVE;
    }

    private void load(int partition, Slot slot) {
        if (slots.get(partition) != slot) {
            return;
        }
        long startMs = time.milliseconds();
        try {
            slot.shard.load();
            slot.status = Status.ACTIVE;
            LOG.info("Loaded group coordinator for __consumer_offsets-{} in {} ms ({} groups)", partition,
                    time.milliseconds() - startMs, slot.shard.groups().size());
        } catch (RuntimeException e) {
            LOG.error("Loading __consumer_offsets-{} failed; its groups are unavailable here", partition, e);
            slots.remove(partition, slot);
        }
    }

    /**
     * Runs {@code op} on the shard of {@code partition}, on its thread. Not loaded here:
     * NOT_COORDINATOR; still loading: COORDINATOR_LOAD_IN_PROGRESS; an exception: its error code.
     */
    <T> CompletableFuture<T> onShard(int partition, Function<GroupShard, CompletableFuture<T>> op,
                                     Function<Errors, T> onError) {
        Slot slot = slots.get(partition);
        if (slot == null) {
            return CompletableFuture.completedFuture(onError.apply(Errors.NOT_COORDINATOR));
        }
        if (slot.status == Status.LOADING) {
            return CompletableFuture.completedFuture(onError.apply(Errors.COORDINATOR_LOAD_IN_PROGRESS));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor(partition).execute(() -> {
                if (slots.get(partition) != slot) {
                    result.complete(onError.apply(Errors.NOT_COORDINATOR));
                    return;
                }
                try {
                    op.apply(slot.shard).whenComplete((value, failure) -> result.complete(
                            failure != null ? onError.apply(Errors.forException(failure)) : value));
                } catch (RuntimeException e) {
                    LOG.error("Group operation on __consumer_offsets-{} failed", partition, e);
                    result.complete(onError.apply(Errors.forException(e)));
                }
            });
        } catch (RejectedExecutionException e) {
            result.complete(onError.apply(Errors.NOT_COORDINATOR));
        }
        return result;
    }

    /** Runs {@code op} on every active shard; the flag says whether some shard was still loading. */
    <T> EveryShard<T> onEveryShard(Function<GroupShard, T> op) {
        List<CompletableFuture<T>> results = new ArrayList<>();
        boolean loading = false;
        for (Map.Entry<Integer, Slot> e : slots.entrySet()) {
            if (e.getValue().status != Status.ACTIVE) {
                loading = true;
                continue;
            }
            GroupShard shard = e.getValue().shard;
            CompletableFuture<T> future = new CompletableFuture<>();
            try {
                executor(e.getKey()).execute(() -> future.complete(op.apply(shard)));
            } catch (RejectedExecutionException rejected) {
                continue;
            }
            results.add(future);
        }
        return new EveryShard<>(results, loading);
    }

    /** The per-shard results of {@link #onEveryShard}. */
    record EveryShard<T>(List<CompletableFuture<T>> results, boolean someLoading) {
    }

    private ScheduledExecutorService executor(int partition) {
        return threads[partition % threads.length];
    }

    private void onEachActiveShard(int threadIndex, java.util.function.Consumer<GroupShard> task, String what) {
        for (Map.Entry<Integer, Slot> e : slots.entrySet()) {
            if (e.getKey() % threads.length == threadIndex && e.getValue().status == Status.ACTIVE) {
                try {
                    task.accept(e.getValue().shard);
                } catch (RuntimeException failure) {
                    LOG.error("Group coordinator {} of __consumer_offsets-{} failed", what, e.getKey(), failure);
                }
            }
        }
    }

    /** Unloads every shard (waiting members get NOT_COORDINATOR) and ends the threads. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (int i = 0; i < threads.length; i++) {
            int index = i;
            try {
                threads[i].submit(() -> onEachShardOf(index)).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Unloading group coordinator shards on thread {} failed", index, e);
            }
            threads[i].shutdownNow();
        }
        for (ScheduledExecutorService thread : threads) {
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        slots.clear();
    }

    private void onEachShardOf(int threadIndex) {
        for (Map.Entry<Integer, Slot> e : slots.entrySet()) {
            if (e.getKey() % threads.length == threadIndex) {
                e.getValue().shard.unload();
            }
        }
    }
}
