package io.strand.coordinator.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * A {@link TransactionMarkerChannel} that writes nothing: it keeps what it is asked to send, and the
 * test reports each partition's outcome by hand. Thread-safe.
 */
final class RecordingMarkerChannel implements TransactionMarkerChannel {

    record Sent(TransactionMarkers markers, Completion completion) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<Integer> cancelled = new CopyOnWriteArrayList<>();

    @Override
    public void send(TransactionMarkers markers, Completion completion) {
        sent.add(new Sent(markers, completion));
    }

    @Override
    public void cancel(int transactionStatePartition) {
        cancelled.add(transactionStatePartition);
    }

    Sent last() {
        return sent.get(sent.size() - 1);
    }

    /** Reports every partition of the last markers sent written. */
    void writeAllOfLast() {
        Sent last = last();
        for (TopicPartition tp : new ArrayList<>(last.markers().partitions())) {
            last.completion().onPartitionDone(tp, Errors.NONE);
        }
    }

    void clear() {
        sent.clear();
    }
}
