/**
 * Small files that carry a partition's or a log directory's state across restarts:
 * {@link io.strand.storage.checkpoint.CheckpointFile} (Kafka's versioned text format, written crash-safe),
 * {@link io.strand.storage.checkpoint.CheckpointedOffsets} (one partition's recovery point, log start and
 * high watermark as a log directory's checkpoints hold them),
 * {@link io.strand.storage.checkpoint.LeaderEpochCache} with
 * {@link io.strand.storage.checkpoint.EpochEndOffset} ({@code leader-epoch-checkpoint}: leader epoch →
 * start offset) and {@link io.strand.storage.checkpoint.PartitionMetadataFile} ({@code partition.metadata}:
 * the topic id).
 *
 * <p>Depends only on {@code io.strand.storage.file}.
 */
package io.strand.storage.checkpoint;
