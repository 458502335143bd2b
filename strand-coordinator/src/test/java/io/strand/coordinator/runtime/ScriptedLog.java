package io.strand.coordinator.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A {@link CoordinatorLog} of strings whose appends the test completes by hand: each append waits in
 * {@link #inFlight} until {@link #commitNext} or {@link #failNext}; only committed records are loaded.
 * Thread-safe.
 */
final class ScriptedLog implements CoordinatorLog<String> {

    private record Append(int partition, List<String> records, CompletableFuture<Long> future) {
    }

    private final Map<Integer, List<String>> committed = new HashMap<>();
    private final List<Append> inFlight = new ArrayList<>();
    private volatile CountDownLatch loadGate = new CountDownLatch(0);

    /** Commits every append at once, as a single-replica log does. */
    volatile boolean autoCommit;

    synchronized void preload(int partition, String... records) {
        committed.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(List.of(records));
    }

    /** Loads wait until the returned latch is counted down. */
    CountDownLatch holdLoads() {
        loadGate = new CountDownLatch(1);
        return loadGate;
    }

    synchronized List<String> committed(int partition) {
        return List.copyOf(committed.getOrDefault(partition, List.of()));
    }

    synchronized int inFlightCount() {
        return inFlight.size();
    }

    void commitNext() {
        Append append;
        long offset;
        synchronized (this) {
            append = inFlight.remove(0);
            List<String> log = committed.computeIfAbsent(append.partition(), p -> new ArrayList<>());
            log.addAll(append.records());
            offset = log.size() - 1;
        }
        append.future().complete(offset);
    }

    void failNext(RuntimeException error) {
        Append append;
        synchronized (this) {
            append = inFlight.remove(0);
        }
        append.future().completeExceptionally(error);
    }

    @Override
    public CompletableFuture<Long> append(int partition, List<String> records) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        synchronized (this) {
            inFlight.add(new Append(partition, List.copyOf(records), future));
        }
        if (autoCommit) {
            commitNext();
        }
        return future;
    }

    /** A transactional append: each record is stored as {@code p<producerId>:<record>}. */
    @Override
    public CompletableFuture<Long> appendTransactional(int partition, long producerId, short producerEpoch,
                                                       List<String> records) {
        return append(partition, records.stream().map(r -> "p" + producerId + ":" + r).toList());
    }

    /** A marker, stored as {@code commit p<producerId>} or {@code abort p<producerId>}. */
    @Override
    public CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                int coordinatorEpoch, boolean commit) {
        return append(partition, List.of((commit ? "commit" : "abort") + " p" + producerId));
    }

    /**
     * While set, a load's wait for its records to commit stays open until the test completes the
     * future it finds in {@link #loadCommits}.
     */
    volatile boolean holdLoadCommits;
    final List<CompletableFuture<Void>> loadCommits = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        if (!holdLoadCommits) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        loadCommits.add(committed);
        return committed;
    }

    /** While set, loads throw it (as when this node no longer leads the partition). */
    volatile RuntimeException loadFailure;

    @Override
    public long load(int partition, RecordVisitor<String> visitor) {
        if (loadFailure != null) {
            throw loadFailure;
        }
        try {
            loadGate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<String> records = committed(partition);
        for (int i = 0; i < records.size(); i++) {
            visitor.visit(i, records.get(i));
        }
        return records.size();
    }
}
