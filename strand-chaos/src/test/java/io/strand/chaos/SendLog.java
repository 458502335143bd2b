package io.strand.chaos;

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
final class SendLog {

    /** What became of a send. */
    enum Outcome {
        /** Neither acknowledged nor failed yet: in the client's buffer or on the wire. */
        PENDING,
        /** The callback gave an offset. */
        ACKED,
        /** The callback (or {@code send} itself) gave an exception. */
        FAILED
    }

    /** One send: its number, the partition it went to, and what became of it. */
    static final class Send {
        final long seq;
        final int partition;
        final String value;
        private volatile Outcome outcome = Outcome.PENDING;
        private volatile long offset = -1;
        private volatile Exception error;

        private Send(long seq, int partition, String value) {
            this.seq = seq;
            this.partition = partition;
            this.value = value;
        }

        Outcome outcome() {
            return outcome;
        }

        /** The acknowledged offset; -1 unless {@link Outcome#ACKED}. */
        long offset() {
            return offset;
        }

        Exception error() {
            return error;
        }
    }

    final String producer;
    /** Whether the producer was idempotent: then a value may be in the log at most once. */
    final boolean idempotent;
    private final List<Send> sends = new ArrayList<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    SendLog(String producer, boolean idempotent) {
        if (producer.contains("#")) {
            throw new IllegalArgumentException("producer=" + producer + " must not contain '#'");
        }
        this.producer = producer;
        this.idempotent = idempotent;
    }

    /** Records a send to {@code partition} about to be handed to the producer. */
    synchronized Send begin(int partition) {
        long seq = sends.size();
        Send send = new Send(seq, partition, producer + "#" + seq);
        sends.add(send);
        return send;
    }

    /** Completes {@code send} from a callback's result; true if this call was the one that completed it. */
    boolean complete(Send send, long offset, Exception error) {
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

    long acked() {
        return acked.get();
    }

    long failed() {
        return failed.get();
    }

    synchronized long begun() {
        return sends.size();
    }

    /** Sends neither acknowledged nor failed yet. */
    long pending() {
        // read the completions first: a send completing in between is then counted pending, not lost
        long done = acked.get() + failed.get();
        return begun() - done;
    }

    /** Every send so far, in order. */
    synchronized List<Send> sends() {
        return List.copyOf(sends);
    }

    /** The numbers of the sends pending now. */
    List<Long> pendingSeqs() {
        List<Long> pending = new ArrayList<>();
        for (Send send : sends()) {
            if (send.outcome == Outcome.PENDING) {
                pending.add(send.seq);
            }
        }
        return pending;
    }

    /** The producer and number of a value this class made, or null for any other value. */
    static SentValue parse(String value) {
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
    record SentValue(String producer, long seq) {
    }

    @Override
    public String toString() {
        return producer + "{begun=" + begun() + " acked=" + acked() + " failed=" + failed() + "}";
    }
}
