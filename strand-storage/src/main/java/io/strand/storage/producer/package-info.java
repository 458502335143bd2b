/**
 * Idempotent and transactional producer state of one partition:
 * {@link io.strand.storage.producer.ProducerStateManager} (sequence and epoch checks on append, duplicate
 * detection, ongoing transactions and markers, the first unstable offset, snapshots, expiry of idle
 * producers), {@link io.strand.storage.producer.CompletedTxn} (what a marker ended),
 * {@link io.strand.storage.producer.ProducerEntry} (one producer's epoch and last batches) and
 * {@code ProducerSnapshotFile} (the {@code .snapshot} format). Owned by the partition's writer.
 *
 * <p>Depends only on {@code io.strand.storage.file}.
 */
package io.strand.storage.producer;
