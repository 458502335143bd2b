package io.strand.broker.producer;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * Hands out producer ids for idempotent producers from blocks the controller allocates (so ids stay
 * unique across restarts and, later, across brokers). The next block is requested when the current
 * one is nine-tenths used, so a producer rarely waits for the quorum.
 *
 * <p>Thread-safe (one monitor); waiting is done through futures, never by blocking.
 */
public final class ProducerIdManager {

    public static final int BLOCK_SIZE = 1000;

    private final IntFunction<CompletableFuture<Long>> allocateBlock;
    /** The current block is [nextId, blockEnd); empty when equal. */
    private long nextId;
    private long blockEnd;
    /** First id of the block fetched ahead of time, or -1. */
    private long queuedBlockStart = -1;
    private CompletableFuture<Void> pendingBlock;

    /** @param allocateBlock asks the controller for a block of the given size; completes with its first id */
    public ProducerIdManager(IntFunction<CompletableFuture<Long>> allocateBlock) {
        this.allocateBlock = allocateBlock;
    }

    /** Completes with a producer id no one else has been given. */
    public synchronized CompletableFuture<Long> nextProducerId() {
        if (nextId == blockEnd && queuedBlockStart >= 0) {
            nextId = queuedBlockStart;
            blockEnd = queuedBlockStart + BLOCK_SIZE;
            queuedBlockStart = -1;
        }
        if (nextId < blockEnd) {
            long id = nextId++;
            if (blockEnd - nextId < BLOCK_SIZE / 10 && queuedBlockStart < 0) {
                requestBlock();
            }
            return CompletableFuture.completedFuture(id);
        }
        return requestBlock().thenCompose(ignored -> nextProducerId());
    }

    /** Completes once a new block is queued (or its allocation failed). */
    private CompletableFuture<Void> requestBlock() {
        if (pendingBlock == null) {
            CompletableFuture<Void> block = new CompletableFuture<>();
            pendingBlock = block;
            allocateBlock.apply(BLOCK_SIZE).whenComplete((first, error) -> {
                onBlock(block, first);
                if (error != null) {
                    block.completeExceptionally(error);
                } else {
                    block.complete(null);
                }
            });
            return block;
        }
        return pendingBlock;
    }

    private synchronized void onBlock(CompletableFuture<Void> block, Long first) {
        if (pendingBlock == block) {
            pendingBlock = null;
        }
        if (first != null) {
            queuedBlockStart = first;
        }
    }
}
