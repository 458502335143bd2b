package io.strand.chaos.history;

/**
 * One send of a producer and what became of it, with wall-clock times (epoch milliseconds).
 *
 * <p>{@code seq} numbers the producer's sends from 0 in the order it handed them to its client;
 * {@code value} is {@code <producer>#<seq>}, unique in a campaign. {@code offset} is the
 * acknowledged offset, -1 unless {@link Outcome#ACKED} (and -1 for an acknowledgement that gave no
 * offset: librdkafka acknowledges a retried batch the broker had written already without one); {@code completedAtMs} is -1 for
 * {@link Outcome#UNKNOWN}.
 */
public record Send(String producer, long seq, int partition, String value, long sentAtMs, Outcome outcome,
                   long offset, long completedAtMs, String error) {

    /** What the client said of a send. */
    public enum Outcome {
        /** Acknowledged at an offset: it must be in the log, there, exactly once. */
        ACKED,
        /** The client reported an error: it may or may not be in the log (a timeout may have landed). */
        FAILED,
        /** No answer before the workload ended: it may or may not be in the log. */
        UNKNOWN
    }

    public static Send acked(String producer, long seq, int partition, long sentAtMs, long offset, long ackedAtMs) {
        return new Send(producer, seq, partition, valueOf(producer, seq), sentAtMs, Outcome.ACKED, offset, ackedAtMs,
                null);
    }

    /** The value send {@code seq} of {@code producer} carries. */
    public static String valueOf(String producer, long seq) {
        return producer + "#" + seq;
    }
}
