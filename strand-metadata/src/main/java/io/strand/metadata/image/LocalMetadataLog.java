package io.strand.metadata.image;

import io.strand.metadata.record.MetadataRecord;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotControllerException;

/**
 * An in-memory, single-node {@link MetadataLog}: an append applies at once, on the caller's thread,
 * with log indexes 1, 2, 3 ... Nothing survives the object. Meant for tests of the controller and
 * of code that reads images; {@link #setLeader} simulates losing leadership.
 *
 * <p>Thread-safe: appends are serialized; listeners run on the appending thread, in order.
 */
public final class LocalMetadataLog implements MetadataLog {

    private final MetadataListener listener;
    private volatile MetadataImage image;
    private volatile boolean leader = true;
    private long nextIndex;

    public LocalMetadataLog() {
        this(MetadataImage.EMPTY, MetadataListener.NOOP);
    }

    public LocalMetadataLog(MetadataImage initial, MetadataListener listener) {
        this.image = Objects.requireNonNull(initial);
        this.listener = Objects.requireNonNull(listener);
        this.nextIndex = Math.max(1L, initial.appliedOffset() + 1);
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    public void setLeader(boolean leader) {
        this.leader = leader;
    }

    @Override
    public synchronized CompletableFuture<Long> append(List<MetadataRecord> records) {
        if (!leader) {
            return CompletableFuture.failedFuture(new NotControllerException("This node is not the leader"));
        }
        MetadataDelta delta = new MetadataDelta(image);
        try {
            delta.replayAll(records);
        } catch (MetadataReplayException e) {
            return CompletableFuture.failedFuture(e);
        }
        long index = nextIndex++;
        MetadataImage next = delta.apply(index);
        image = next;
        listener.onImage(delta, next);
        return CompletableFuture.completedFuture(index);
    }
}
