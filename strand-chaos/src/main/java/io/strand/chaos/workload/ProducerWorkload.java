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

    /** Every send, in order; those still unanswered as unknown. Complete once {@link #stop()} returned. */
    List<Send> sends();

    /** Ends at once (clean-up after a failure); unanswered sends stay unknown. */
    @Override
    void close();
}
