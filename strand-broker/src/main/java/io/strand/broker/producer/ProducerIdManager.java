package io.strand.broker.producer;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out producer ids (idempotent producers, and the transaction coordinator's) from blocks the
 * controller allocates (so ids stay unique across restarts and, later, across brokers). The next block
 * is requested when the current one is nine-tenths used, so a producer rarely finds none at hand.
 *
 * <p>Thread-safe (one monitor); never blocks: a caller that finds no id is told so.
 */
public final class ProducerIdManager {

    public static final int BLOCK_SIZE = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdManager.class);

    private final IntFunction<CompletableFuture<Long>> allocateBlock;
    /** The current block is [nextId, blockEnd); empty when equal. */
    private long nextId;
    private long blockEnd;
    /** First id of the block fetched ahead of time, or -1. */
    private long queuedBlockStart = -1;
    private boolean requestInFlight;

    /** @param allocateBlock asks the controller for a block of the given size; completes with its first id */
    public ProducerIdManager(IntFunction<CompletableFuture<Long>> allocateBlock) {
        this.allocateBlock = allocateBlock;
    }

    /**
     * A producer id no one else has been given if one is at hand, else -1 with the next block requested:
     * as Kafka's {@code RPCProducerIdManager}, a caller that finds no id takes none (it fails and retries),
     * so ids are handed out in order from the block's first.
     */
    public synchronized long tryNextProducerId() {
        if (nextId == blockEnd && queuedBlockStart >= 0) {
            nextId = queuedBlockStart;
            blockEnd = queuedBlockStart + BLOCK_SIZE;
            queuedBlockStart = -1;
        }
        if (nextId == blockEnd) {
            requestBlock();
            return -1;
        }
        long id = nextId++;
        if (blockEnd - nextId < BLOCK_SIZE / 10 && queuedBlockStart < 0) {
            requestBlock();
        }
        return id;
    }

    /** Asks for a block unless one is being asked for; a failed allocation is asked for again by the next call. */
    private void requestBlock() {
        if (requestInFlight) {
            return;
        }
        requestInFlight = true;
        allocateBlock.apply(BLOCK_SIZE).whenComplete((first, error) -> {
            if (error != null) {
                LOG.warn("Allocating a block of producer ids failed; asking again on the next call", error);
            }
            onBlock(first);
        });
    }

    private synchronized void onBlock(Long first) {
        requestInFlight = false;
        if (first != null) {
            queuedBlockStart = first;
        }
    }
}
