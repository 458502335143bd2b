package io.strand.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one producer sent and what became of each send, as its callbacks said: acknowledged at an
 * offset, failed, or still pending (unknown, if the broker dies now). Sends are numbered from 0 in
 * the order {@code send} was called; send {@code n} carries the value {@code <producer>#<n>}.
 *
 * <p>Thread-safe: one thread {@link #begin}s sends, the producer's I/O thread completes them, any
 * thread reads. An outcome changes once, from pending to acknowledged or failed.
 */
public final class SendLog {

    /** What became of a send. */
    public enum Outcome {
        /** Neither acknowledged nor failed yet: in the client's buffer or on the wire. */
        PENDING,
        /** The callback gave an offset. */
        ACKED,
        /** The callback (or {@code send} itself) gave an exception. */
        FAILED
    }

    /** One send: its number, the partition it went to, and what became of it. */
    public static final class Send {
        public final long seq;
        public final int partition;
        public final String value;
        private volatile Outcome outcome = Outcome.PENDING;
        private volatile long offset = -1;
        private volatile Exception error;

        private Send(long seq, int partition, String value) {
            this.seq = seq;
            this.partition = partition;
            this.value = value;
        }

        public Outcome outcome() {
            return outcome;
        }

        /** The acknowledged offset; -1 unless {@link Outcome#ACKED}. */
        public long offset() {
            return offset;
        }

        public Exception error() {
            return error;
        }
    }

    public final String producer;
    /** Whether the producer was idempotent: then a value may be in the log at most once. */
    public final boolean idempotent;
    private final List<Send> sends = new ArrayList<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public SendLog(String producer, boolean idempotent) {
        if (producer.contains("#")) {
            throw new IllegalArgumentException("producer=" + producer + " must not contain '#'");
        }
        this.producer = producer;
        this.idempotent = idempotent;
    }

    /** Records a send to {@code partition} about to be handed to the producer. */
    public synchronized Send begin(int partition) {
        long seq = sends.size();
        Send send = new Send(seq, partition, producer + "#" + seq);
        sends.add(send);
        return send;
    }

    /** Completes {@code send} from a callback's result; true if this call was the one that completed it. */
    public boolean complete(Send send, long offset, Exception error) {
        synchronized (send) {
            if (send.outcome != Outcome.PENDING) {
                return false;
            }
            if (error == null) {
                send.offset = offset;
                send.outcome = Outcome.ACKED;
                acked.incrementAndGet();
            } else {
                send.error = error;
                send.outcome = Outcome.FAILED;
                failed.incrementAndGet();
            }
            return true;
        }
    }

    public long acked() {
        return acked.get();
    }

    public long failed() {
        return failed.get();
    }

    public synchronized long begun() {
        return sends.size();
    }

    /** Sends neither acknowledged nor failed yet. */
    public long pending() {
        // read the completions first: a send completing in between is then counted pending, not lost
        long done = acked.get() + failed.get();
        return begun() - done;
    }

    /** Every send so far, in order. */
    public synchronized List<Send> sends() {
        return List.copyOf(sends);
    }

    /** The numbers of the sends pending now. */
    public List<Long> pendingSeqs() {
        List<Long> pending = new ArrayList<>();
        for (Send send : sends()) {
            if (send.outcome == Outcome.PENDING) {
                pending.add(send.seq);
            }
        }
        return pending;
    }

    /** The producer and number of a value this class made, or null for any other value. */
    public static SentValue parse(String value) {
        int hash = value == null ? -1 : value.lastIndexOf('#');
        if (hash <= 0) {
            return null;
        }
        try {
            return new SentValue(value.substring(0, hash), Long.parseLong(value.substring(hash + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A value's producer and send number. */
    public record SentValue(String producer, long seq) {
    }

    @Override
    public String toString() {
        return producer + "{begun=" + begun() + " acked=" + acked() + " failed=" + failed() + "}";
    }
}
