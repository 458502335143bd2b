package io.strand.chaos.workload;

import io.strand.chaos.history.Send;
import java.util.List;

/**
 * A producer sending {@code <name>#<seq>} round-robin over a topic's partitions at a bounded rate,
 * each send and its outcome recorded with wall-clock times. Started on creation; thread-safe.
 */
public interface ProducerWorkload extends AutoCloseable {

    String name();

    /** Whether it runs with idempotence on (then each of its values may be in the log once at most). */
    boolean idempotent();

    /** Sends acknowledged so far. */
    long acked();

    /** Stops sending and waits (bounded by the client's delivery timeout) for outstanding answers. */
    void stop();

    /**
     * Why the client ended before {@link #stop()} asked it to, or with a failure (its last words), or null
     * if it ran to the end. Known once {@link #stop()} returned.
     */
    default String endedEarly() {
        return null;
    }

    /** How often the client bumped its producer epoch on its own (0 where the client does not say). */
    default int epochBumps() {
        return 0;
    }

    /** Every send, in order; those still unanswered as unknown. Complete once {@link #stop()} returned. */
    List<Send> sends();

    /** Ends at once (clean-up after a failure); unanswered sends stay unknown. */
    @Override
    void close();
}
