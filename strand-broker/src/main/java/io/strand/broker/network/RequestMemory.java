package io.strand.broker.network;

import java.util.ArrayList;
import java.util.List;

/**
 * The memory a node's requests may hold, {@code queued.max.request.bytes}: a frame's bytes are
 * reserved as they are read, and given back when its response has been written or dropped. A connection whose next frame finds the memory spent stops reading until
 * some is given back, so clients that send large or half-sent frames, or requests faster than the node
 * answers them, cannot grow the heap past the bound.
 *
 * <p>As Kafka's broker pool, a reservation succeeds whenever any memory is left, even for more than
 * what is left (the total may then overshoot by one socket read per connection reading at that
 * moment); so a frame larger than the whole bound is still served, alone. Unlike Kafka, which
 * reserves a frame's declared size before reading it, bytes are reserved as they arrive, so a client
 * that declares large frames and sends little cannot spend the memory of others.
 *
 * <p>Thread-safe: reservations on event loops, releases wherever a response completes.
 */
public final class RequestMemory {

    private final long capacity;
    private long available;
    private final List<Runnable> waiters = new ArrayList<>();

    /** @param capacity bytes that requests may hold; {@link Long#MAX_VALUE} for no bound */
    public RequestMemory(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.available = capacity;
    }

    public static RequestMemory unbounded() {
        return new RequestMemory(Long.MAX_VALUE);
    }

    /** Whether this bound is {@link #unbounded()}: reservations always succeed. */
    public boolean isUnbounded() {
        return capacity == Long.MAX_VALUE;
    }

    /** Reserves {@code bytes} if any memory is left; false (nothing reserved) otherwise. */
    public synchronized boolean tryReserve(int bytes) {
        if (available <= 0) {
            return false;
        }
        available -= bytes;
        return true;
    }

    /** Gives back what a {@link #tryReserve} took, and wakes whoever waits for memory. */
    public void release(int bytes) {
        List<Runnable> woken;
        synchronized (this) {
            available += bytes;
            if (available <= 0 || waiters.isEmpty()) {
                return;
            }
            woken = new ArrayList<>(waiters);
            waiters.clear();
        }
        woken.forEach(Runnable::run);
    }

    /** Runs {@code waiter} once memory is left: at once if some is now, else on the next release that leaves some. */
    public void whenAvailable(Runnable waiter) {
        synchronized (this) {
            if (available <= 0) {
                waiters.add(waiter);
                return;
            }
        }
        waiter.run();
    }

    /** Bytes left now (negative after an overshoot); for tests and metrics. */
    public synchronized long available() {
        return available;
    }
}
