package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataImage;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * A node's copy of the committed metadata, as its broker role reads it: a voter's
 * {@link MetadataQuorum} on a node that is also a controller, a {@link MetadataObserver} on a
 * broker-only node. Both apply the same committed batches in log order to a {@link MetadataImage}
 * and tell the node's listener through a {@link MetadataPublisher}. Thread-safe.
 */
public interface NodeMetadata {

    /** The latest applied image. */
    MetadataImage image();

    /** The latest image the listener has returned from; may lag {@link #image()}. */
    MetadataImage publishedImage();

    /**
     * Completes once this node has applied what was committed when it started (as far as it could
     * learn from the leader), knows the cluster id, and the listener has been told that image.
     */
    CompletableFuture<Void> caughtUp();

    /** The node id of the metadata quorum's leader (the active controller), if known. */
    OptionalInt leaderId();
}
