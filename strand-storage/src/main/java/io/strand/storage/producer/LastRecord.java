package io.strand.storage.producer;

/**
 * What compaction must keep of a producer the state still knows: the batch ending at
 * {@code lastDataOffset} (its last sequence), or, when the producer has no batch in its current epoch
 * ({@code lastDataOffset} -1: a marker bumped the epoch after its data), its latest marker of epoch
 * {@code producerEpoch}, which is what fences its older epochs after a restart.
 */
public record LastRecord(long lastDataOffset, short producerEpoch) {
}
