/**
 * The replicated metadata log: the Apache Ratis server and state machine that apply record
 * batches to the image, snapshots, catch-up, the publisher that tells the listener about each
 * change on its own thread, and leader requests ({@link io.strand.metadata.quorum.LeaderRequestClient}
 * to the leader's {@link io.strand.metadata.quorum.LeaderRequestHandler}), which carry opaque
 * request bytes from any node to the Raft leader; and the observers of broker-only nodes
 * ({@link io.strand.metadata.quorum.MetadataObserver}), which follow the committed log without
 * voting by fetching it from the leader over the same path. Implements
 * {@link io.strand.metadata.image.MetadataLog}; depends on the image and the records, never on the
 * controller.
 */
package io.strand.metadata.quorum;
