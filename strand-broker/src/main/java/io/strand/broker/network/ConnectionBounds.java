package io.strand.broker.network;

/**
 * What bounds a node's client connections, shared by all its listeners: how many may be open and how
 * fast they may be made ({@link ConnectionLimits}), the memory their requests may hold
 * ({@link RequestMemory}, {@code queued.max.request.bytes}) and how long one may stay idle
 * ({@code connections.max.idle.ms}, negative for ever).
 */
public record ConnectionBounds(ConnectionLimits limits, RequestMemory memory, long maxIdleMs) {

    /** Kafka's default idle limit, 10 minutes. */
    public static final long DEFAULT_MAX_IDLE_MS = 600_000L;

    /** No count, rate or memory bound; Kafka's default idle limit. */
    public static ConnectionBounds unlimited() {
        return new ConnectionBounds(ConnectionLimits.unlimited(), RequestMemory.unbounded(), DEFAULT_MAX_IDLE_MS);
    }
}
