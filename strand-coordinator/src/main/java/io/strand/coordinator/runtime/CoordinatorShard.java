package io.strand.coordinator.runtime;

/**
 * The state machine of one coordinator partition (for the group coordinator: one
 * {@code __consumer_offsets} partition), run by {@link CoordinatorRuntime}.
 *
 * <p>Compute, then apply: an operation reads the shard and returns a {@link CoordinatorResult} —
 * records plus a response — and {@link #replay} of those records is the only way the shard's
 * durable state changes, live and when the partition is loaded from its log after a restart or a
 * failover. Replay must be deterministic: the same records in the same order rebuild the same state.
 *
 * <p>Lifecycle: created empty by the runtime's factory; {@link #replay} of every committed record
 * of the partition (loading); {@link #onLoaded} once; then operations, {@link #onTick} and live
 * replays; {@link #onUnloaded} last. A shard is never reused after it is unloaded.
 *
 * <p>Not thread-safe, and need not be: the runtime calls a shard only on the one thread that owns
 * its partition, one call at a time.
 *
 * @param <R> the record type of the coordinator's log
 */
public interface CoordinatorShard<R> {

    /** The offset passed to {@link #replay} for a record applied before its append has an offset. */
    long UNKNOWN_OFFSET = -1L;

    /**
     * Applies one record written in a producer's transaction (a transactional batch of
     * {@code producerId}): it takes effect only when a commit marker of that producer follows
     * ({@link #replayEndTransactionMarker}). A coordinator without transactional writes never gets one.
     *
     * @param offset as for {@link #replay(long, Object)}
     * @throws RuntimeException as {@link #replay(long, Object)}
     */
    default void replay(long offset, long producerId, short producerEpoch, R record) {
        throw new IllegalStateException("No transactional records expected: offset=" + offset + " producerId="
                + producerId + " producerEpoch=" + producerEpoch);
    }

    /**
     * Applies a transaction marker (a control batch) of {@code producerId}: its pending records take
     * effect ({@code commit}) or are dropped. A coordinator without transactional writes ignores it.
     *
     * @param offset the marker's offset when loading, {@link #UNKNOWN_OFFSET} when applied ahead of its append
     */
    default void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
    }

    /**
     * Applies one record.
     *
     * @param offset the record's offset in the partition's log when loading, {@link #UNKNOWN_OFFSET}
     *               when the runtime applies the records of an operation ahead of their append
     * @throws RuntimeException if the record cannot be applied; while loading the runtime logs it and
     *         goes on with the next record, live it fails the operation and reloads the shard
     */
    void replay(long offset, R record);

    /** The partition's committed log has been replayed; the shard serves operations from now on. */
    default void onLoaded(long nowMs) {
    }

    /**
     * Runs periodically on the shard's thread (every tick of the runtime): the place for timeouts.
     * The records returned are written like an operation's.
     */
    default CoordinatorResult<Void, R> onTick(long nowMs) {
        return CoordinatorResult.empty();
    }

    /**
     * The shard is being dropped: the partition is no longer led here, the runtime is closing, or an
     * append failed and the shard is being rebuilt from its log. Answers whatever it holds parked.
     */
    default void onUnloaded() {
    }
}
