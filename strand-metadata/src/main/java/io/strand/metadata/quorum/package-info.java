/**
 * The replicated metadata log: the Apache Ratis server and state machine that apply record
 * batches to the image, snapshots, catch-up, and the publisher that tells the listener about each
 * change on its own thread. Implements {@link io.strand.metadata.image.MetadataLog}; depends on the
 * image and the records, never on the controller.
 */
package io.strand.metadata.quorum;
