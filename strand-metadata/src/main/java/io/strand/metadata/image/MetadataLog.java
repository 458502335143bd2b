package io.strand.metadata.image;

import io.strand.metadata.record.MetadataRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the controller needs from the metadata log: the latest applied image, whether this node may
 * append, and an atomic append. {@link io.strand.metadata.quorum.MetadataQuorum} is the replicated
 * implementation; {@link LocalMetadataLog} the in-memory one for tests.
 */
public interface MetadataLog {

    /** The latest applied image. */
    MetadataImage image();

    /** True while this node is the leader and may append. */
    boolean isLeader();

    /**
     * Appends {@code records} as one batch. Completes with the batch's log index once it is
     * committed and applied here ({@link #image()} shows it); fails with
     * {@link org.apache.kafka.common.errors.NotControllerException} when this node is not the
     * leader, with {@link MetadataReplayException} when the batch cannot apply.
     */
    CompletableFuture<Long> append(List<MetadataRecord> records);

    /**
     * Completes once whatever serves clients on this node (the broker's listeners) has taken in
     * the batch appended at {@code offset}, so an answer sent after it holds here too (a created
     * topic is served). At once where nothing else listens, as by default. Never blocks the caller;
     * may complete on another thread; fails when the log closes first.
     */
    default CompletableFuture<Void> published(long offset) {
        return CompletableFuture.completedFuture(null);
    }
}
