package io.strand.storage.checkpoint;

/**
 * A partition's offsets as last checkpointed in its log directory; {@code -1} where the checkpoint
 * has no entry.
 */
public record CheckpointedOffsets(long recoveryPoint, long logStartOffset, long highWatermark) {

    public static final CheckpointedOffsets NONE = new CheckpointedOffsets(-1L, -1L, -1L);
}
