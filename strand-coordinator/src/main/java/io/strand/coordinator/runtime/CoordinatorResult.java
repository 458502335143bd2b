package io.strand.coordinator.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a coordinator operation produces: the records to append to the partition's log and the
 * response to send once they are committed.
 *
 * <p>{@code replayRecords}: true (the usual case) lets the runtime apply the records through
 * {@link CoordinatorShard#replay} right after the operation returns; false says the operation
 * applied them itself, through the same replay, while it ran (a multi-step operation that reads
 * the state its earlier records produce). Either way they are applied before the next operation of
 * the shard runs.
 *
 * <p>{@code appendFuture}, if not null, is completed on the shard's thread when the records are
 * committed (normally) or their append failed (exceptionally), before the response is released:
 * the hook for answers parked in the shard that depend on these records.
 *
 * @param records  the records to append, in order; empty for an operation that changes nothing
 * @param response the response, released when the records (and every record appended before them)
 *                 are committed
 * @param <T>      the response type
 * @param <R>      the record type
 */
public record CoordinatorResult<T, R>(List<R> records, T response, boolean replayRecords,
                                      CompletableFuture<Void> appendFuture) {

    public CoordinatorResult {
        records = List.copyOf(records);
    }

    /** Records the runtime applies, and a response. */
    public static <T, R> CoordinatorResult<T, R> of(List<R> records, T response) {
        return new CoordinatorResult<>(records, response, true, null);
    }

    /** A response and no records. */
    public static <T, R> CoordinatorResult<T, R> response(T response) {
        return new CoordinatorResult<>(List.of(), response, true, null);
    }

    /** Nothing to write, nothing to answer. */
    public static <T, R> CoordinatorResult<T, R> empty() {
        return new CoordinatorResult<>(List.of(), null, true, null);
    }
}
