package io.strand.chaos.workload;

import io.strand.chaos.history.Send;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one producer sent and what became of each send, as its client said, with wall-clock times:
 * sends are numbered from 0 in the order they begin; a send without an answer is
 * {@link Send.Outcome#UNKNOWN} in {@link #sends()}. An outcome is set once: a second answer for a
 * send is ignored.
 *
 * <p>Thread-safe: one thread begins sends, the client's thread answers them, any thread reads.
 */
final class SendRecorder {

    private final String producer;
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong lastAckMs = new AtomicLong(-1);

    SendRecorder(String producer) {
        if (producer.contains("#")) {
            throw new IllegalArgumentException("producer=" + producer + " must not contain '#'");
        }
        this.producer = producer;
    }

    /** Records send {@code seq} to {@code partition}; sends must begin in order of {@code seq}, from 0. */
    synchronized void begin(long seq, int partition, long atMs) {
        if (seq != slots.size()) {
            throw new IllegalStateException("producer=" + producer + " began send " + seq + ", expected "
                    + slots.size());
        }
        slots.add(new Slot(partition, atMs));
    }

    synchronized long begun() {
        return slots.size();
    }

    synchronized void acked(long seq, long offset, long atMs) {
        Slot slot = slot(seq);
        if (slot != null && slot.outcome == null) {
            slot.outcome = Send.Outcome.ACKED;
            slot.offset = offset;
            slot.completedAtMs = atMs;
            acked.incrementAndGet();
            lastAckMs.accumulateAndGet(atMs, Math::max);
        }
    }

    synchronized void failed(long seq, String error, long atMs) {
        Slot slot = slot(seq);
        if (slot != null && slot.outcome == null) {
            slot.outcome = Send.Outcome.FAILED;
            slot.error = error;
            slot.completedAtMs = atMs;
        }
    }

    private Slot slot(long seq) {
        return seq >= 0 && seq < slots.size() ? slots.get((int) seq) : null;
    }

    long acked() {
        return acked.get();
    }

    /** Every send so far, in order; those without an answer yet as unknown. */
    synchronized List<Send> sends() {
        List<Send> sends = new ArrayList<>(slots.size());
        for (int seq = 0; seq < slots.size(); seq++) {
            Slot slot = slots.get(seq);
            Send.Outcome outcome = slot.outcome == null ? Send.Outcome.UNKNOWN : slot.outcome;
            sends.add(new Send(producer, seq, slot.partition, Send.valueOf(producer, seq), slot.sentAtMs, outcome,
                    slot.offset, slot.completedAtMs, slot.error));
        }
        return sends;
    }

    private static final class Slot {
        final int partition;
        final long sentAtMs;
        Send.Outcome outcome;
        long offset = -1;
        long completedAtMs = -1;
        String error;

        Slot(int partition, long sentAtMs) {
            this.partition = partition;
            this.sentAtMs = sentAtMs;
        }
    }
}
