package io.strand.storage.cleaner;

/**
 * The log cleaner's settings, already validated by the broker-level log manager config (Kafka's
 * {@code log.cleaner.enable}, {@code log.cleaner.dedupe.buffer.size},
 * {@code log.cleaner.io.max.bytes.per.second}, {@code log.cleaner.backoff.ms}). Immutable.
 *
 * @param enable false: no compaction thread is started
 * @param dedupeBufferBytes bytes of the key-hash → offset map; at least {@link #MIN_DEDUPE_BUFFER_BYTES}
 * @param ioMaxBytesPerSecond read plus written bytes per second; {@link Double#MAX_VALUE} for unlimited
 * @param backoffMs idle wait between passes when no log needs cleaning
 */
public record CleanerConfig(boolean enable, long dedupeBufferBytes, double ioMaxBytesPerSecond, long backoffMs) {

    /** The smallest dedupe buffer: room for two entries of the offset map. */
    public static final long MIN_DEDUPE_BUFFER_BYTES = OffsetMap.SLOT_BYTES * 2L;
}
